/// A claim of the inventory that a derivation step (`convlab derive`) or a spot-the-error
/// exercise (`convlab exercise`) quotes, named by its claim id, with the claim's declared
/// verdict.
///
/// The verdict of every printed formula that a derivation shows failing, and of every formula a
/// spot-the-error exercise asks about, is written here once: `verdict` below is the only place
/// that says it. A derivation step names its claim (`.printedFormFails(…, claim: .xu6, …)`) and
/// shows `claim.verdict`; the audit builds that claim from the step's numbers with the same
/// verdict (`Audit.claims(seed:)`), and `Claim.verdictReproduced` checks that the numbers bear
/// it out (`convlab audit`, AuditTests). An exercise names its claim and its answer key is
/// `verdict == .correct`. The lookup is a switch: the derivations are themselves a source of the
/// inventory, so they cannot read their verdicts from a built inventory, and an exercise, whose
/// answer is computed for every part it grades, reads one without running the checks of five
/// papers.
///
/// The raw value is the claim's id in the inventory (`Claim.id`, e.g. `xu-6` for Xu (6),
/// `murugan-table-1-sigmoid` for Murugan Table 1's sigmoid row).
public enum QuotedClaim: String, Sendable, CaseIterable {
  // Xu.
  /// Xu (6): up(δ) = δ ⊗ Iₙₓₙ, the all-ones matrix printed I.
  case xu6 = "xu-6"
  /// Xu (9): ∂E/∂b = (vec δ)ᵀ vec(l_{(M−K+1)×(M−K+1)}) = Σ_{p,q} [δ]_{p,q}, the all-ones matrix printed l.
  case xu9 = "xu-9"
  /// Xu (10): ∂E/∂b = δ * I, the all-ones matrix printed I.
  case xu10 = "xu-10"
  /// Xu (13): ∂E/∂k = x * δ, with * a correlation (Fig. 4) or MATLAB's convolution (Xu (14)).
  case xu13 = "xu-13"
  /// Xu (15)'s worked example: ∂E/∂[x]₂,₂ = δ₁₁k₁₂ + δ₁₂k₂₁ + δ₂₁k₁₂ + δ₂₂k₁₁.
  case xuTextAfter15 = "xu-text-after-15"
  /// Xu (16): (∂E/∂x_i)_j = δ̃_j * (J k_ij J).
  case xu16 = "xu-16"
  /// Xu (17): ∂E/∂x_i = Σ_j δ̃_j * (J k_ij J).
  case xu17 = "xu-17"
  /// Xu (18): δ_i = f′(z_i) ∘ Σ_j δ̃_j * (J k_ij J).
  case xu18 = "xu-18"
  /// Xu (19): ∂E/∂b = (vec δ)ᵀ vec(I), the all-ones matrix printed I.
  case xu19 = "xu-19"
  /// Xu (20): ∂E/∂b = δ * I, the all-ones matrix printed I.
  case xu20 = "xu-20"
  /// Xu (22): ∂E/∂β = δ * down(x).
  case xu22 = "xu-22"

  // Murugan.
  /// Murugan Table 1 (sigmoid): f′(x) = f(x)(1 − f(x))².
  case muruganTable1Sigmoid = "murugan-table-1-sigmoid"
  /// Murugan (3.34): σ(z) = 1/(1 + exp^{z}).
  case murugan334 = "murugan-3.34"
  /// Murugan (3.39)–(3.40): ∂L/∂w = (1/t) Σ ŷᵢ(σ(zᵢ) − yᵢ).
  case murugan339To340 = "murugan-3.39–3.40"
  /// Murugan (3.43)–(3.44): ∂L/∂bᵢ = σ(zᵢ) − yᵢ.
  case murugan343To344 = "murugan-3.43–3.44"
  /// Murugan (3.53)–(3.54): ∂L/∂w = (yᵢ − zᵢ)/(zᵢ(1 − zᵢ)).
  case murugan353To354 = "murugan-3.53–3.54"
  /// Murugan (3.57)–(3.59): ∂L/∂bᵢ = σ(z_i^{l−1}) − yᵢ.
  case murugan357To359 = "murugan-3.57–3.59"
  /// Murugan (3.67)–(3.69): ∂L/∂K_uv = Σ_m Σ_n ∂L/∂C_mn I_{m−u, n−v}.
  case murugan367To369 = "murugan-3.67–3.69"
  /// Murugan (3.70)–(3.71): ∂L/∂k = rot180°(I) * ∂L/∂C.
  case murugan370To371 = "murugan-3.70–3.71"
  /// Murugan (3.80): b^{p,q} = α ∂L/∂b^{p,q}.
  case murugan380 = "murugan-3.80"

  /// The claim's declared verdict (`Claim.Verdict`), by the audit's rules (Docs/audit.md):
  /// ✓ correct, ✗ wrong in the source (a counterexample under the paper's own definitions),
  /// ≈ garbled in conversion, ? ambiguous (the paper's definitions admit readings that disagree).
  public var verdict: Claim.Verdict {
    switch self {
    case .xu9:
      return .correct
    // Xu (15)'s example: the converted text is well formed and its neighbours right; one index is the source's.
    // Murugan's sigmoid (Table 1, (3.34)), dense-layer gradients ((3.39)–(3.59)) and bias update
    // ((3.80)) fail under the paper's own network.
    case .xuTextAfter15, .muruganTable1Sigmoid, .murugan334, .murugan339To340, .murugan343To344, .murugan353To354, .murugan357To359, .murugan380:
      return .wrong
    // Xu prints its all-ones matrix as 𝟏, l and I and never defines an identity (`XuDerivations.onesNote`).
    case .xu6, .xu10, .xu19, .xu20:
      return .garbled
    // * is a correlation in Xu Fig. 4 and MATLAB's convolution in Xu (14); Murugan (3.2)
    // correlates where Murugan (3.3) convolves.
    case .xu13, .xu16, .xu17, .xu18, .xu22, .murugan367To369, .murugan370To371:
      return .ambiguous
    }
  }
}
