import ConvLabBlocks
import ConvLabCore

/// The papers' networks as specs (`convlab train --net NAME`; `convlab train --list-nets`).
public enum Models {
  /// LeNet-5 as Xu describes it: 32×32 input (28×28 images padded by 2, which C1's `pad 2`
  /// does), C1 6@5×5, S2 Xu's trainable average layer, C3 16@5×5 through the S2→C3 table
  /// (60 kernels, 1516 parameters), S4, C5 120@5×5, F6 84, 10 outputs. ReLU activations and a
  /// softmax log-loss replace LeCun's scaled tanh and RBF output.
  public static let lenet5 = "conv 5x5x6 pad 2; relu; subsample 2; relu; conv 5x5x16 table lenet; relu; subsample 2; relu; conv 5x5x120; relu; dense 84; relu; dense 10; loss softmaxlog"

  /// Murugan §2: one convolution, one max pool, ReLU dense layers, and a sigmoid output trained
  /// with cross-entropy (Murugan (2.14)). Sigmoid + cross-entropy is computed stably on the
  /// pre-sigmoid scores as MatConvNet's logistic loss log(1 + e^{−cx}) = −log σ(cx) (§6.6.1).
  public static let murugan = "conv 3x3x16 pad 1; relu; pool max 2; dense 128; relu; dense 10; loss logistic"

  /// Vardhan §1: two conv layers, each followed by an activation and average pooling, then a
  /// fully connected layer.
  public static let vardhan = "conv 5x5x8 pad 2; relu; pool avg 2; conv 5x5x16 pad 2; relu; pool avg 2; dense 10; loss softmaxlog"

  /// How a Milisavljevic network reduces resolution after each of its 4 conv layers (§4).
  public enum Reduction: Sendable, Equatable {
    /// No reduction (Table 1 "No Pooling").
    case none
    /// max, avg or maxavg pooling with one pool size per layer (2, 3, or 2→3 = [2, 2, 3, 3]).
    case pool(Pool.Method, [Int])
    /// Convolution stride s instead of pooling (Table 2).
    case stride(Int)
    /// Dilation of layer i (0-based depth) = i + offset, or constant when `constant` (Table 5).
    case dilation(offset: Int, constant: Bool)
  }

  /// Milisavljevic §4: 4 × (conv 3×3, pad 1, ReLU, reduction), then a fully connected softmax
  /// output. Pools are "same" pools (output ⌈H/F⌉, padding at the bottom and right where the
  /// last window overhangs), so 28 → 10 → 4 → 2 → 1 stays valid for F = 3 as well; the padding
  /// is computed here from the `input` size. Dilation i + 3 needs padding 2 (the paper says so).
  public static func milisavljevic(_ reduction: Reduction, filters: [Int] = [64, 64, 64, 64], classes: Int = 10, input: Int = 28) -> String {
    var items: [String] = []
    var h = input
    for (i, k) in filters.enumerated() {
      switch reduction {
      case .none: items += ["conv 3x3x\(k) pad 1", "relu"]
      case .pool(let method, let sizes):
        let f = sizes[min(i, sizes.count - 1)]
        let out = (h + f - 1) / f
        let overhang = out * f - h
        items += ["conv 3x3x\(k) pad 1", "relu", "pool \(method.rawValue) \(f)\(overhang > 0 ? " pad 0,\(overhang),0,\(overhang)" : "")"]
        h = out
      case .stride(let s): items += ["conv 3x3x\(k) pad 1 stride \(s)", "relu"]
      case .dilation(let offset, let constant):
        let d = constant ? offset : i + offset
        items += ["conv 3x3x\(k) pad \(offset >= 3 && !constant ? 2 : 1)\(d > 1 ? " dilate \(d)" : "")", "relu"]
      }
    }
    return (items + ["dense \(classes)", "loss softmaxlog"]).joined(separator: "; ")
  }

  /// Milisavljevic's fully-connected baseline: 4 hidden layers of 64 units.
  public static let fullyConnected = "dense 64; relu; dense 64; relu; dense 64; relu; dense 64; relu; dense 10; loss softmaxlog"

  /// Every named network.
  public static let named: [(name: String, spec: String, about: String)] = [
    ("lenet5", lenet5, "LeNet-5 with Xu's S2→C3 table and trainable average layers (Xu §2)"),
    ("murugan", murugan, "one conv, one max pool, ReLU dense layers, sigmoid + cross-entropy (Murugan §2)"),
    ("vardhan", vardhan, "2 conv + FC with average pooling (Vardhan §1)"),
    ("milisavljevic-max", milisavljevic(.pool(.max, [2])), "4 × (conv 3×3×64, ReLU, max pool 2) (Milisavljevic §4)"),
    ("milisavljevic-avg", milisavljevic(.pool(.avg, [2])), "4 × (conv 3×3×64, ReLU, average pool 2)"),
    ("milisavljevic-maxavg", milisavljevic(.pool(.maxavg, [2])), "4 × (conv 3×3×64, ReLU, max+average pool 2)"),
    ("milisavljevic-stride", milisavljevic(.stride(2)), "4 × (conv 3×3×64 stride 2, ReLU)"),
    ("milisavljevic-dilation", milisavljevic(.dilation(offset: 2, constant: false)), "4 × (conv 3×3×64 dilation i+2, ReLU)"),
    ("milisavljevic-nopool", milisavljevic(.none), "4 × (conv 3×3×64, ReLU), no reduction"),
    ("fc", fullyConnected, "Milisavljevic's baseline: 4 dense layers of 64 units"),
  ]

  /// The spec for a name, or the text itself parsed as a spec.
  public static func spec(_ nameOrSpec: String) throws -> NetSpec {
    if let hit = named.first(where: { $0.name == nameOrSpec.lowercased() }) { return try NetSpec(parsing: hit.spec) }
    if !nameOrSpec.contains(" ") && !nameOrSpec.contains(";") {
      throw ConvLabError("unknown network '\(nameOrSpec)'; use one of \(named.map(\.name).joined(separator: ", ")) or a spec such as \"conv 5x5x6; relu; pool max 2; dense 10\".")
    }
    return try NetSpec(parsing: nameOrSpec)
  }
}
