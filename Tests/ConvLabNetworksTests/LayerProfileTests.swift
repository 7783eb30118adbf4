import ConvLabBlocks
import ConvLabCore
import ConvLabNetworks
import Foundation
import Testing

@Suite struct LayerProfileTests {
  /// `bench --profile`'s table: one row per layer of LeNet-5 plus the loss, each with the
  /// layer's real output shape for the batch, positive times, and a total no larger than the
  /// wall-clock time of the whole profiling call (times counted twice would exceed it).
  @Test func everyLayerOfLeNetIsTimed() throws {
    let network = try Network<Float>(spec: try Models.spec("lenet5"), input: Shape(28, 28), classes: 10, seed: 1)
    var rng = SeededGenerator(seed: 2)
    let x = Tensor<Float>.normal(Shape(28, 28, 1, 4), using: &rng)
    let start = DispatchTime.now().uptimeNanoseconds
    let profile = try LayerProfile(network, x, labels: [0, 1, 2, 3], repeats: 1)
    let wall = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    #expect(profile.rows.count == network.chain.layers.count + 1)
    #expect(profile.rows.first?.name == "conv" && profile.rows.first?.output == Shape(28, 28, 6, 4), "C1: 28×28×6 for 4 images")
    #expect(profile.rows.last?.name == network.loss.name)
    #expect(profile.rows.allSatisfy { $0.forward > 0 && $0.backward > 0 })
    #expect(profile.total > 0 && profile.total <= wall, "profiled \(profile.total) s within a \(wall) s call")
    #expect(profile.lines.count == profile.rows.count + 2, "header, one line per row, the sum")
  }
}
