import ConvLabBlocks
import ConvLabCore
import Foundation

/// A network's parameters as a NumPy `.npz` archive, and the gradients `convlab net grad`
/// writes in the same form.
///
/// Keys count every `;`-separated item of the spec from 1: `<i>.w` and `<i>.b` are the
/// parameters of item i (`conv 5x5x6; relu; dense 10; loss softmaxlog` has `1.w`, `1.b`,
/// `3.w`, `3.b`). Arrays are in MatConvNet layout, as `convlab block` takes them:
///
/// | item | `<i>.w` | `<i>.b` |
/// | --- | --- | --- |
/// | `conv FHxFWxK` | filters FH×FW×D×K (MatConvNet §4.1) | K |
/// | `dense K` | K×(H·W·D), acting on the column-major vec of its input (Murugan (3.10)) | K |
/// | `subsample N` | Xu's β, one per channel: D (Xu (2)) | D |
///
/// A spec with the LeNet connection table (`table lenet`) pins the unconnected filters to zero
/// (Xu Table 1): their entries in `<i>.w` must be 0, and their gradients are written as 0.
public enum NetWeights {
  /// The key of item `layer` (0-based chain index) and a role (`w`, `b`).
  public static func key(layer: Int, _ role: String) -> String { "\(layer + 1).\(role)" }

  /// The `.npz` shape of a parameter: conv filters keep all four dimensions, dense weights two,
  /// biases and β one.
  static func fileShape(_ block: any Block, role: String, _ t: Shape) -> [Int] {
    if role == "w", block is Conv || block is FlippedConv { return t.dims }
    if role == "w", block is Dense { return [t.h, t.w] }
    return [t.count]
  }

  /// Every parameter of the network as an archive, in key order (Float64, or Float32 for a
  /// `Network<Float>`).
  public static func archive<S: Scalar>(_ network: Network<S>) -> NPZArchive {
    archive(network, tensors: network.chain.layers.map { ($0.parameters.w, $0.parameters.b) })
  }

  /// Tensors shaped like the network's parameters (its gradients, say) under the same keys.
  public static func archive<S: Scalar>(_ network: Network<S>, tensors: [(w: Tensor<S>?, b: Tensor<S>?)]) -> NPZArchive {
    var out = NPZArchive()
    for (l, layer) in network.chain.layers.enumerated() {
      for (role, tensor) in [("w", tensors[l].w), ("b", tensors[l].b)] {
        guard let t = tensor else { continue }
        out[key(layer: l, role)] = NPYArray(shape: fileShape(layer.block, role: role, t.shape), values: t.storage.map { Double($0) }, descr: S.npyDescr)
      }
    }
    return out
  }

  /// Replaces the network's parameters by the archive's. Every key the network has must be
  /// present with its shape, and no other key may be: a misnumbered key is a mistake worth a
  /// sentence, not something to ignore. `name` is used in error messages.
  public static func load<S: Scalar>(_ archive: NPZArchive, into network: inout Network<S>, name: String) throws {
    var expected: [String] = []
    for (l, layer) in network.chain.layers.enumerated() {
      var p = layer.parameters
      for role in ["w", "b"] {
        guard let current = role == "w" ? p.w : p.b else { continue }
        let k = key(layer: l, role)
        expected.append(k)
        guard let array = archive[k] else {
          throw ConvLabError(
            "\(name) has no array '\(k)' (\(role == "w" ? "weights" : "biases") of item \(l + 1), \(layer.block.name), shape \(fileShape(layer.block, role: role, current.shape).map(String.init).joined(separator: "×")))."
          )
        }
        let want = fileShape(layer.block, role: role, current.shape)
        // Vectors may come in any shape with the right count (np.save of a row or a column).
        let isVector = want.count == 1
        let fits = isVector ? array.values.count == want[0] && array.shape.filter({ $0 != 1 }).count <= 1 : Self.sameShape(array.shape, want)
        guard fits else {
          throw ConvLabError(
            "\(name)['\(k)'] has shape \(array.shape.map(String.init).joined(separator: "×")) but item \(l + 1) (\(layer.block.name)) needs \(want.map(String.init).joined(separator: "×")).")
        }
        guard array.values.allSatisfy(\.isFinite) else { throw ConvLabError("\(name)['\(k)'] contains NaN or infinite values.") }
        let t = Tensor<S>(shape: current.shape, storage: array.values.map { S($0) })
        if role == "w", let mask = network.masks[l] {
          if let i = mask.storage.indices.first(where: { mask.storage[$0] == 0 && t.storage[$0] != 0 }) {
            let s = mask.shape.subscripts(i)
            throw ConvLabError(
              "\(name)['\(k)'] has a non-zero weight at (\(s.i + 1), \(s.j + 1), \(s.d + 1), \(s.n + 1)), which the LeNet table leaves unconnected (input map \(s.d + 1) does not feed map \(s.n + 1), Xu Table 1)."
            )
          }
        }
        if role == "w" { p.w = t } else { p.b = t }
      }
      network.chain.layers[l].parameters = p
    }
    if let extra = archive.names.first(where: { !expected.contains($0) }) {
      throw ConvLabError("\(name) has an array '\(extra)' that the network does not use; its keys are \(expected.joined(separator: ", ")) (items counted from 1).")
    }
  }

  /// Shapes equal up to trailing singleton dimensions.
  static func sameShape(_ a: [Int], _ b: [Int]) -> Bool {
    func trim(_ s: [Int]) -> [Int] {
      var s = s
      while s.count > 1, s.last == 1 { s.removeLast() }
      return s
    }
    return trim(a) == trim(b)
  }
}

/// What the loss of `convlab net grad` compares the scores with.
public enum NetTarget<S: Scalar>: Sendable {
  /// 1-based class labels, one per image (any shape with N elements).
  case labels(Tensor<S>)
  /// A regression target shaped like the scores (C·N values, column-major 1×1×C×N).
  case target(Tensor<S>)
}

extension Network {
  /// The loss's auxiliary input for a batch of `count` images, checked: labels must be whole
  /// classes 1…C; a target must have C·N values.
  public func lossParameters(_ t: NetTarget<S>, count: Int) throws -> Parameters<S> {
    switch t {
    case .labels(let c):
      guard c.count == count else {
        throw ConvLabError("the labels have \(c.count) elements but x holds \(count) images; give one 1-based class per image.")
      }
      let labels = try c.storage.enumerated().map { n, v -> Int in
        guard v == v.rounded(), v >= 1, v <= S(classes) else {
          throw ConvLabError("label \(v) of image \(n + 1) is not a class between 1 and \(classes).")
        }
        return Int(v) - 1
      }
      return lossParameters(labels: labels)
    case .target(let y):
      guard loss is RegressionLoss else {
        throw ConvLabError.worded("the loss \(spec.loss) compares scores with class labels; give \(setting: "labels") (a target is for mse, msle, l2, l1, mae, mape, bce).")
      }
      guard y.count == classes * count else {
        throw ConvLabError("the target has \(y.count) elements but the scores are 1×1×\(classes)×\(count) (\(classes * count)); give one value per class and image.")
      }
      return Parameters(target: Tensor(shape: Shape(1, 1, classes, count), storage: y.storage))
    }
  }

  /// The objective z = (mean over images of the loss) and its derivatives with respect to the
  /// input and every parameter, by backpropagation (MatConvNet (2.1)); masked weights get
  /// zero gradient.
  public func objective(_ x: Tensor<S>, _ t: NetTarget<S>) throws -> (loss: S, dzdx: Tensor<S>, layers: [Gradients<S>]) {
    guard x.shape.h == inputShape.h, x.shape.w == inputShape.w, x.shape.d == inputShape.d else {
      throw ConvLabError("x has shape \(x.shape) but the network takes \(inputShape.h)×\(inputShape.w)×\(inputShape.d)×N images.")
    }
    let p = try lossParameters(t, count: x.shape.n)
    let values = try chain.forward(x)
    guard let scores = values.last else { throw ConvLabError("the network has no layers.") }
    let scale = objectiveScale(batch: x.shape.n)
    let z = try loss.forward(scores, p).storage[0] * scale
    let dzdScores = try loss.backward(scores, p, Tensor(shape: Shape(1, 1), storage: [scale])).dzdx
    var (dzdx, grads) = try chain.backward(values, dzdy: dzdScores, inputGradient: true)
    for l in grads.indices { if let m = masks[l], let g = grads[l].dzdw { grads[l].dzdw = g.zipWith(m, *) } }
    return (z, dzdx, grads)
  }
}
