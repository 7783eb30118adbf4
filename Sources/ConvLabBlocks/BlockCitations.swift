/// Where the papers state what a block computes: the equations or sections its forward pass,
/// its backward pass and its Jacobian implement, in the citation format (`MatConvNet §6.1`,
/// `Xu (4)–(6)`, `Vardhan App. A (a1-1)–(a2-3)`; Docs/architecture.md, Citations).
public struct BlockCitations: Sendable, Equatable {
  /// y = f(x, w): the forward pass (`forward`, `literalForward`).
  public let forward: String
  /// (dz/dx, dz/dw, dz/db) from dz/dy: the backward pass (`backward`).
  public let backward: String
  /// d vec y / d (vec x)ᵀ and d vec y / d (vec w)ᵀ: the literal Jacobian (`jacobian`), whose
  /// transpose times dz/dy is `literalBackward`.
  public let jacobian: String
}

extension BlockKind {
  /// The papers' equations for this block's forward pass, backward pass and Jacobian; nil for
  /// dropout, whose equations none of the five papers states (`uncited` says why).
  public var citations: BlockCitations? {
    switch self {
    case .conv:
      return BlockCitations(forward: "MatConvNet §4.1", backward: "MatConvNet §6.1", jacobian: "MatConvNet §6.1, Vardhan App. A (a1-1)–(a2-3)")
    case .convt:
      return BlockCitations(forward: "MatConvNet §4.2 (4.1)", backward: "MatConvNet §6.2", jacobian: "MatConvNet §6.2")
    case .pool:
      return BlockCitations(
        forward: "MatConvNet §4.3, Milisavljevic §3 (max+average)", backward: "MatConvNet §6.3",
        jacobian: "MatConvNet (6.2), Vardhan App. B (b-1)–(b-2.3) (max)")
    case .subsample:
      return BlockCitations(forward: "Xu (2)", backward: "Xu (4)–(6), Xu (19)–(22)", jacobian: "Xu (4)–(6), Xu (19)–(22)")
    case .dense:
      return BlockCitations(forward: "Murugan (3.10)", backward: "Murugan (3.28)–(3.59)", jacobian: "Vardhan §3.1.1")
    case .relu:
      return BlockCitations(forward: "MatConvNet §4.4", backward: "MatConvNet §6.4.1", jacobian: "MatConvNet §6.4")
    case .sigmoid:
      return BlockCitations(forward: "MatConvNet §4.4, Murugan Table 1", backward: "MatConvNet §6.4.2", jacobian: "MatConvNet §6.4")
    case .tanh:
      return BlockCitations(forward: "Murugan Table 1", backward: "Murugan Table 1", jacobian: "MatConvNet §6.4")
    case .softmax:
      return BlockCitations(forward: "MatConvNet §4.5.4", backward: "MatConvNet §6.5.4", jacobian: "MatConvNet §6.5.4")
    case .normalize:
      return BlockCitations(forward: "MatConvNet §4.5.1", backward: "MatConvNet §6.5.1", jacobian: "MatConvNet §6.5.1")
    case .bnorm:
      return BlockCitations(forward: "MatConvNet §4.5.2", backward: "MatConvNet §6.5.2", jacobian: "MatConvNet §6.5.2")
    case .spnorm:
      return BlockCitations(forward: "MatConvNet §4.5.3", backward: "MatConvNet §6.5.3", jacobian: "MatConvNet §6.5.3")
    case .pdist:
      return BlockCitations(forward: "MatConvNet §4.6.3", backward: "MatConvNet §6.6.3", jacobian: "MatConvNet §6.6.3")
    case .loss:
      return BlockCitations(
        forward: "MatConvNet §4.6, Murugan (2.4)–(2.14)", backward: "MatConvNet §6.6, Murugan (3.26) (bce)", jacobian: "MatConvNet §6.6")
    case .dropout:
      return nil
    }
  }

  /// Why a block has no `citations`, where it has none.
  public var uncited: String? {
    self == .dropout ? "none of the five papers states dropout's equations (MatConvNet Fig. 1.2 and §1.3 only mention it)" : nil
  }
}
