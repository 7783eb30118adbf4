import ConvLabCore
import ConvLabFigures
import ConvLabPlot
import Foundation
import Testing

/// Murugan Table 1 as plotted: every curve of the activation figure against the functions and
/// derivatives written out here (σ(x) = 1/(1 + e⁻ˣ), σ′ = σ(1 − σ), tanh′ = 1 − tanh², ReLU's
/// step), not against the blocks that drew it.
@Suite struct ActivationFigureTests {
  static func sigmoid(_ x: Double) -> Double { 1 / (1 + exp(-x)) }

  static let expected: [String: @Sendable (Double) -> Double] = [
    "sigmoid": { Self.sigmoid($0) }, "sigmoid′": { Self.sigmoid($0) * (1 - Self.sigmoid($0)) },
    "tanh": { tanh($0) }, "tanh′": { 1 - tanh($0) * tanh($0) },
    "ReLU": { max(0, $0) }, "ReLU′": { $0 > 0 ? 1 : 0 },
    "leaky ReLU (a = 0.1)": { $0 > 0 ? $0 : 0.1 * $0 }, "leaky ReLU (a = 0.1)′": { $0 > 0 ? 1 : 0.1 },
  ]

  /// Double evaluation of the same formulas in a different order: agreement to 1e-12 relative
  /// (a few ulps; exp and tanh are correctly rounded to within an ulp or two).
  @Test func everyCurveIsItsFormula() throws {
    let figure = try PaperFigures.activations()
    let series = figure.panels.flatMap(\.series)
    #expect(Set(series.map(\.title)) == Set(Self.expected.keys))
    for s in series {
      let f = try #require(Self.expected[s.title])
      #expect(s.x.count > 100 && s.x.first == -4 && s.x.last == 4, "\(s.title): the x range")
      #expect(Comparison(s.y, s.x.map(f)).relativeError < 1e-12, "\(s.title)")
    }
  }
}
