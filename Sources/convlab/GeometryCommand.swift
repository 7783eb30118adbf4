import ArgumentParser
import ConvLabCore
import ConvLabNotation

extension ConvLab {
  /// `convlab geometry "conv 5x5; pool 2x2 stride 2" --input 32x32`.
  struct Geometry: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Output sizes and receptive fields of a layer stack (MatConvNet ch. 5).",
      discussion: """
        Layers are separated by ';': conv|pool|convt SIZE [stride S] [pad P|T,B,L,R] [dilate D] \
        [upsample U] [crop C|T,B,L,R] [ceil] [max|avg|maxavg]; relu, sigmoid, tanh, … are 1×1. \
        Sizes use MatConvNet (5.3), conv transpose §5.3, Caffe ceil pooling §5.2.1; receptive fields \
        (α stride, β offset, Δ size) compose with §5.5.
        """)

    @Argument(help: "The layer stack, e.g. \"conv 5x5; pool 2x2 stride 2; conv 5x5; pool 2x2 stride 2\".")
    var layers: String

    @Option(help: "Input size HxW.")
    var input = "32x32"

    func run() throws {
      let size = try Shape(parsing: input, option: "--input")
      let stack = try LayerStack(parsing: layers)
      let trace = try stack.trace(h: size.h, w: size.w)
      let nameWidth = max(5, trace.map { $0.layer.text.count }.max() ?? 5)
      print(MatrixFormat.pad("layer", nameWidth) + "   output    receptive field (rows)      receptive field (cols)")
      print(MatrixFormat.pad("input", nameWidth) + "   " + "\(size.h)×\(size.w)".padding(toLength: 10, withPad: " ", startingAt: 0))
      for row in trace {
        let out = "\(row.h)×\(row.w)".padding(toLength: 10, withPad: " ", startingAt: 0)
        print(
          MatrixFormat.pad(row.layer.text, nameWidth) + "   " + out
            + row.rows.description.padding(toLength: 28, withPad: " ", startingAt: 0) + row.cols.description)
      }
      if let last = trace.last {
        let range = last.rows.inputRange(ofOutput: 1)
        print("")
        print(
          Terminal.wrap(
            "The first output pixel sees input rows \(ReceptiveField.format(range.lowerBound))…\(ReceptiveField.format(range.upperBound)) "
              + "(Δ = \(ReceptiveField.format(last.rows.delta)) pixels; MatConvNet (5.1): i ∈ α(i″−1) + β ± (Δ−1)/2).", hanging: 2))
      }
    }
  }
}
