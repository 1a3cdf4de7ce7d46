using MathNet.Numerics;

namespace AiopsLab.Numerics;

/// <summary>
/// Log densities of Student's t distribution, univariate and multivariate (Kotz &amp; Nadarajah, <i>Multivariate t
/// Distributions and Their Applications</i>, 2004, eq. 1.1; Murphy, "Conjugate Bayesian analysis of the Gaussian
/// distribution", 2007, eqs. 100 and 232). These are the posterior predictive densities of a Gaussian with unknown mean
/// and variance (Normal-Gamma / Normal-Inverse-Wishart prior), as used by Bayesian online change-point detection.
/// </summary>
public static class StudentT
{
    /// <summary>
    /// log t_ν(x | μ, σ²) = logΓ((ν+1)/2) − logΓ(ν/2) − ½·log(νπσ²) − ((ν+1)/2)·log(1 + (x−μ)²/(νσ²)),
    /// for ν &gt; 0 degrees of freedom, location μ and squared scale σ² &gt; 0.
    /// </summary>
    public static double LogPdf(double x, double nu, double mu, double scale2)
    {
        double z = (x - mu) * (x - mu) / (nu * scale2);
        return SpecialFunctions.GammaLn((nu + 1) / 2) - SpecialFunctions.GammaLn(nu / 2)
               - 0.5 * Math.Log(nu * Math.PI * scale2) - (nu + 1) / 2 * double.LogP1(z);
    }

    /// <summary>
    /// log t_ν(x | μ, Σ) in d dimensions = logΓ((ν+d)/2) − logΓ(ν/2) − (d/2)·log(νπ) − ½·log|Σ| − ((ν+d)/2)·log(1 + δ/ν),
    /// with δ = (x−μ)ᵀΣ⁻¹(x−μ). Takes the precomputed log|Σ| and δ so callers holding a Cholesky factor
    /// (<see cref="Cholesky"/>) pay O(d²) per evaluation.
    /// </summary>
    public static double LogPdfMultivariate(int d, double nu, double logDetShape, double mahalanobis2) =>
        SpecialFunctions.GammaLn((nu + d) / 2) - SpecialFunctions.GammaLn(nu / 2)
        - d / 2.0 * Math.Log(nu * Math.PI) - 0.5 * logDetShape - (nu + d) / 2 * double.LogP1(mahalanobis2 / nu);
}
