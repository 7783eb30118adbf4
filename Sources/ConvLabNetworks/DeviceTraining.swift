import ConvLabBlocks
import ConvLabCore
import ConvLabDevice

/// Training on a device (`convlab train --device cuda`): the parameters, their momentum buffers
/// and every activation stay in device memory; a step copies in the batch and copies out only
/// the loss and the class scores (for the accuracy). The host `Network` is brought up to date
/// at the end of each epoch (`download`), before the checkpoint is written.
///
/// The step is the CPU's `Network.lossAndGradients` + `Trainer.update` with device blocks:
/// the same blocks, the same order of operations, the same SGD formula (kernel `sgd_step`).
public final class DeviceTraining<S: Scalar>: @unchecked Sendable {
  public let engine: any ComputeEngine
  let blocks: [any DeviceBlock]
  let loss: any DeviceBlock
  var parameters: [DeviceParameters<S>]
  var velocity: [(w: DeviceTensor<S>?, b: DeviceTensor<S>?)]
  let masks: [DeviceTensor<S>?]

  public init(_ network: Network<S>, velocity: [(w: Tensor<S>?, b: Tensor<S>?)], engine: any ComputeEngine) throws {
    self.engine = engine
    blocks = try network.chain.layers.map { try DeviceAccelerator.implementation(of: $0.block) }
    loss = try DeviceAccelerator.implementation(of: network.loss)
    parameters = try network.chain.layers.map { try DeviceParameters($0.parameters, on: engine) }
    self.velocity = try velocity.map { (try $0.w.map { try DeviceTensor($0, on: engine) }, try $0.b.map { try DeviceTensor($0, on: engine) }) }
    masks = try network.masks.map { try $0.map { try DeviceTensor($0, on: engine) } }
  }

  /// x₀ … x_L on the device.
  func forward(_ x: DeviceTensor<S>) throws -> [DeviceTensor<S>] {
    var values = [x]
    for l in blocks.indices {
      do {
        values.append(try blocks[l].forward(on: engine, values[l], parameters[l]))
      } catch let error as ConvLabError {
        throw ConvLabError("layer \(l + 1) (\(blocks[l].name)): \(error.description)")
      }
    }
    return values
  }

  /// Class scores for a batch (copied back).
  public func scores(_ x: Tensor<S>) throws -> Tensor<S> {
    try forward(DeviceTensor(x, on: engine)).last!.host()
  }

  /// One SGD step on a batch; returns the batch's mean loss and how many it classified correctly
  /// (before the update). Nothing is updated when the loss is not finite.
  public func step(_ network: Network<S>, _ x: Tensor<S>, labels: [Int], eta: S, mu: S, lambda: S) throws -> (loss: Double, correct: Int) {
    let values = try forward(DeviceTensor(x, on: engine))
    let scores = values.last!
    let p = try DeviceParameters(network.lossParameters(labels: labels), on: engine)
    let scale = network.objectiveScale(batch: labels.count)
    let z = try loss.forward(on: engine, scores, p).host().storage[0] * scale
    let correct = Network<S>.correct(try scores.host(), labels)
    guard z.isFinite else { return (Double(z), correct) }
    var g = try loss.backward(on: engine, scores, p, DeviceTensor(Tensor(shape: Shape(1, 1), storage: [scale]), on: engine), inputGradient: true).dzdx
    let k = Kernels<S>(engine)
    for l in stride(from: blocks.count - 1, through: 0, by: -1) {
      let grads = try blocks[l].backward(on: engine, values[l], parameters[l], g, inputGradient: l > 0)
      g = grads.dzdx
      let decay = Trainer<S>.decays(network.chain.layers[l].block) ? lambda : 0
      if let w = parameters[l].w, var dw = grads.dzdw, let v = velocity[l].w {
        if let m = masks[l] { dw = try k.product(dw, m) }
        try k.sgdStep(w, v, dw, eta: eta, mu: mu, lambda: decay)
      }
      if let b = parameters[l].b, let db = grads.dzdb, let v = velocity[l].b { try k.sgdStep(b, v, db, eta: eta, mu: mu, lambda: 0) }
    }
    return (Double(z), correct)
  }

  /// Copies the parameters and momentum buffers back into the host network and trainer state.
  public func download(into network: inout Network<S>, velocity hostVelocity: inout [(w: Tensor<S>?, b: Tensor<S>?)]) throws {
    try engine.synchronize()
    for l in parameters.indices {
      if let w = parameters[l].w { network.chain.layers[l].parameters.w = try w.host() }
      if let b = parameters[l].b { network.chain.layers[l].parameters.b = try b.host() }
      hostVelocity[l] = (try velocity[l].w?.host(), try velocity[l].b?.host())
    }
  }
}
