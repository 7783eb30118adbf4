import ArgumentParser
import ConvLabBlocks
import ConvLabCore
import ConvLabData
import ConvLabFigures
import ConvLabNetworks
import ConvLabPlot
import Foundation

struct Figures: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "figures",
    abstract: "Regenerate the papers' figures with gnuplot (PNG and SVG, plus .dat and .gp).",
    discussion: """
      Deterministic (fixed seeds): activations, kronecker-upsampling, maxpool-routing, \
      kernel-gradient-patches, full-convolution, jacobian-sparsity, receptive-fields, \
      dilated-kernels, pooling-fashion. Measured on this machine: runtime (naive vs im2col+GEMM) \
      and the time axis of training-curves (Milisavljevic Figs. 8–10: short seeded runs of the \
      max, average and max+average pooling networks with 16 filters on a subset).
      """)

  @Option(help: "Output folder.")
  var out = "Figures"
  @Option(help: "IDX folder for the Fashion-MNIST figures.")
  var data = DataSplits.defaultDirectory
  @Flag(name: .customLong("no-training"), help: "Skip the training-curves figure (it trains three small networks).")
  var noTraining = false
  @Flag(name: .customLong("no-runtime"), help: "Skip the runtime figure (it times convolutions).")
  var noRuntime = false

  func run() throws {
    var figures = try PaperFigures.deterministic()
    let files = try DataSplits.files(in: data)
    let test = try Dataset(imagesPath: files.testImages, labelsPath: files.testLabels)
    figures.append(try PaperFigures.poolingOnImage(test.subset([0]).images))
    if SystemInfo.gnuplot == nil { print(Gnuplot.missing) }
    var progress = Progress("figures", plainEvery: 0.5)
    for (i, figure) in figures.enumerated() {
      try Gnuplot.render(figure, into: out)
      progress.update(Double(i + 1) / Double(figures.count), figure.name)
    }
    progress.finish()
    print("wrote \(figures.count) figures to \(out)/: \(figures.map(\.name).joined(separator: ", "))")
    if !noRuntime {
      print("timing naive loops vs im2col + GEMM …")
      try Gnuplot.render(try PaperFigures.runtime(), into: out)
      print("wrote \(out)/runtime.png")
    }
    if !noTraining { try trainingCurves() }
  }

  /// Milisavljevic Figs. 8–10 in miniature: the three pooling layers, 16 filters, 3000 images, 5 epochs.
  func trainingCurves() throws {
    let splits = try DataSplits.load(directory: data, validation: 1000, subset: 3000, testSubset: 1000, seed: 1)
    var options = TrainingOptions()
    options.epochs = 5
    options.batchSize = 100
    options.learningRate = 0.02
    var runs: [(label: String, records: [EpochRecord])] = []
    for (label, method) in [("max", Pool.Method.max), ("average", .avg), ("max+average", .maxavg)] {
      var trainer = Trainer(
        network: try Network<Float>(
          spec: try NetSpec(parsing: Models.milisavljevic(.pool(method, [2]), filters: [16, 16, 16, 16])),
          input: splits.train.imageShape, classes: 10, seed: 1), options: options)
      var progress = Progress("training \(label) pooling", plainEvery: 1)
      while trainer.epochsDone < options.epochs {
        let e = trainer.epochsDone
        _ = try trainer.runEpoch(splits) { p in progress.update((Double(e) + Double(p.batch) / Double(p.batches)) / Double(options.epochs), String(format: "epoch %d loss %.3f", p.epoch, p.loss)) }
      }
      progress.finish()
      print("\(label) pooling: validation accuracy \(String(format: "%.1f%%", trainer.records.last!.validationAccuracy * 100)) after \(options.epochs) epochs")
      runs.append((label, trainer.records))
    }
    try Gnuplot.render(
      TrainingFigures.comparison(name: "training-curves", title: "Max, average and max+average pooling, 16 filters, 3000 Fashion-MNIST images (cf. Milisavljevic Figs. 9–10)", runs: runs), into: out)
    print("wrote \(out)/training-curves.png")
  }
}
