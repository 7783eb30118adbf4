import ConvLabCore
import Testing

/// `Scalar.singlePrecision`: the static evidence generic code uses to reach Float32 kernels.
@Suite("scalar types")
struct ScalarTests {
  /// Generic code asks the type: Float has the evidence, Double has none (a Double tensor must
  /// never reach a Float32 kernel).
  @Test func onlyFloatIsSinglePrecision() {
    func has<S: Scalar>(_: S.Type) -> Bool { S.singlePrecision != nil }
    #expect(has(Float.self))
    #expect(!has(Double.self))
  }

  /// The conversions are the identity: a tensor keeps its values and shape both ways, and a
  /// buffer keeps its address (the kernels write through it, so a copy would lose their output).
  @Test func conversionsAreTheIdentity() throws {
    func roundTrip<S: Scalar>(_ x: Tensor<S>) throws -> (Tensor<S>, Bool) {
      let single = try #require(S.singlePrecision)
      let asFloat = single.tensor(x)
      let sameAddress = x.storage.withUnsafeBufferPointer { p in
        p.baseAddress.map { single.pointer($0) == UnsafeRawPointer($0).assumingMemoryBound(to: Float.self) } ?? false
      }
      return (single.result(asFloat), sameAddress)
    }
    let x = Tensor<Float>(shape: Shape(2, 3, 2), storage: (0..<12).map { Float($0) * 0.37 - 1 })
    let (back, sameAddress) = try roundTrip(x)
    #expect(back.shape == x.shape && back.storage == x.storage)
    #expect(sameAddress)
  }
}
