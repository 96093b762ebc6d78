//! Small statistics: Poisson tail probabilities (in log space, exact for small means, with a
//! normal approximation for large ones) and a least-squares slope.

/// ln Γ(x) for x > 0 (Lanczos approximation, g = 7, n = 9; |error| < 1e-13).
pub fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const COEF: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection.
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).abs().ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = COEF[0];
    let t = x + G + 0.5;
    for (i, c) in COEF.iter().enumerate().skip(1) {
        a += c / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// log10 of P(X ≥ k) for X ~ Poisson(mu), exact for mu ≤ 1000 and by a normal approximation
/// above. `mu` is floored at a small positive value.
pub fn log10_poisson_sf(k: u64, mu: f64) -> f64 {
    let mu = mu.max(1e-9);
    if k == 0 {
        return 0.0;
    }
    let kf = k as f64;
    if mu > 1000.0 {
        // Normal approximation with continuity correction.
        let z = (kf - 0.5 - mu) / mu.sqrt();
        return log10_normal_sf(z);
    }
    if kf <= mu {
        // Upper tail of at least about one half: 1 − P(X ≤ k − 1), summed directly.
        let mut term = (-mu).exp();
        let mut cdf = 0.0;
        for i in 0..k {
            cdf += term;
            term *= mu / (i as f64 + 1.0);
        }
        return (1.0 - cdf).clamp(1e-300, 1.0).log10();
    }
    // Sum P(X = i) for i ≥ k in log space until the terms vanish.
    let ln_term = |i: f64| -mu + i * mu.ln() - ln_gamma(i + 1.0);
    let first = ln_term(kf);
    let mut sum = 1.0;
    let mut ratio = 1.0;
    let mut i = kf;
    for _ in 0..100_000 {
        i += 1.0;
        ratio *= mu / i;
        sum += ratio;
        if ratio < 1e-17 * sum {
            break;
        }
    }
    ((first + sum.ln()) / std::f64::consts::LN_10).min(0.0)
}

/// log10 of the standard normal upper tail, stable far into the tail.
fn log10_normal_sf(z: f64) -> f64 {
    if z < 5.0 {
        let p = 0.5 * erfc(z / std::f64::consts::SQRT_2);
        return p.max(1e-300).log10();
    }
    // Mills ratio asymptotics.
    let ln_p = -z * z / 2.0 - (z * (2.0 * std::f64::consts::PI).sqrt()).ln();
    ln_p / std::f64::consts::LN_10
}

/// Complementary error function (Numerical Recipes erfcc, |error| < 1.2e-7).
fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let r = t
        * (-z * z - 1.265_512_23
            + t * (1.000_023_68
                + t * (0.374_091_96
                    + t * (0.096_784_18
                        + t * (-0.186_288_06
                            + t * (0.278_868_07
                                + t * (-1.135_203_98
                                    + t * (1.488_515_87
                                        + t * (-0.822_152_23 + t * 0.170_872_77)))))))))
            .exp();
    if x >= 0.0 { r } else { 2.0 - r }
}

/// Least-squares slope of `y` against its index.
pub fn slope(y: &[f64]) -> f64 {
    let n = y.len() as f64;
    if y.len() < 2 {
        return 0.0;
    }
    let mx = (n - 1.0) / 2.0;
    let my = y.iter().sum::<f64>() / n;
    let (mut num, mut den) = (0.0, 0.0);
    for (i, v) in y.iter().enumerate() {
        let dx = i as f64 - mx;
        num += dx * (v - my);
        den += dx * dx;
    }
    if den == 0.0 { 0.0 } else { num / den }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ln_gamma_valid_factorials() {
        assert!((ln_gamma(5.0) - 24f64.ln()).abs() < 1e-10);
        assert!((ln_gamma(1.0)).abs() < 1e-10);
    }

    #[test]
    fn poisson_tail_valid_known_values() {
        // P(X >= 1; mu = 1) = 1 - e^-1 = 0.632.
        assert!((10f64.powf(log10_poisson_sf(1, 1.0)) - 0.632_120_56).abs() < 1e-6);
        // P(X >= 10; mu = 2) ≈ 4.65e-5.
        assert!((10f64.powf(log10_poisson_sf(10, 2.0)) - 4.649_808e-5).abs() < 1e-8);
        assert!(log10_poisson_sf(1, 5.0) > -0.01);
        assert!(log10_poisson_sf(500, 1.0) < -300.0);
        assert!(log10_poisson_sf(5000, 2000.0) < -100.0);
    }

    #[test]
    fn slope_valid_line() {
        assert!((slope(&[1.0, 2.0, 3.0, 4.0]) - 1.0).abs() < 1e-12);
        assert_eq!(slope(&[3.0]), 0.0);
    }
}
