//! Template mining: placeholder until the miner lands.
