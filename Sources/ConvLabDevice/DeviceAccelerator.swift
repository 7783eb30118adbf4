import ConvLabBlocks
import ConvLabCore

/// `--path cuda` for single blocks (`convlab block`, `jacobian`, `check`): x and the parameters
/// go to the device, the block runs there, and the results come back. After each block the
/// engine is synchronized, so an asynchronous kernel error is reported by the block that made it.
public struct DeviceAccelerator: BlockAccelerator {
  public let engine: any ComputeEngine

  public init(engine: any ComputeEngine) { self.engine = engine }

  /// The block's device implementation, or a one-line error naming the block.
  public static func implementation(of block: any Block) throws -> any DeviceBlock {
    guard let device = block as? any DeviceBlock else {
      throw ConvLabError.pathUnavailable(reason: "\(block.name) has no device implementation yet", alternatives: ["fast", "literal"])
    }
    return device
  }

  public func forward<S: Scalar>(_ block: any Block, _ x: Tensor<S>, _ p: Parameters<S>) throws -> Tensor<S> {
    let device = try Self.implementation(of: block)
    let y = try device.forward(on: engine, DeviceTensor(x, on: engine), DeviceParameters(p, on: engine))
    try engine.synchronize()
    return try y.host()
  }

  public func backward<S: Scalar>(_ block: any Block, _ x: Tensor<S>, _ p: Parameters<S>, _ dzdy: Tensor<S>) throws -> Gradients<S> {
    let device = try Self.implementation(of: block)
    let g = try device.backward(
      on: engine, DeviceTensor(x, on: engine), DeviceParameters(p, on: engine), DeviceTensor(dzdy, on: engine),
      inputGradient: true)
    try engine.synchronize()
    return try g.host()
  }
}
