import ConvLabNetworks
import ConvLabPlot

/// Training curves (Milisavljevic Figs. 8–10 plot validation accuracy against time).
public enum TrainingFigures {
  public enum Panel: Sendable { case loss, accuracy, accuracyVsTime }

  /// Loss and accuracy per epoch, and validation accuracy against training time, for one run.
  public static func curves(records: [EpochRecord], title: String, panels: [Panel] = [.loss, .accuracy, .accuracyVsTime]) -> Figure {
    let epochs = records.map { Double($0.epoch) }
    let plots = panels.map { panel -> Plot in
      switch panel {
      case .loss:
        return Plot(
          title: "loss", xlabel: "epoch", ylabel: "mean loss per image",
          series: [
            Plot.Series("training", x: epochs, y: records.map(\.trainLoss), style: .linespoints),
            Plot.Series("validation", x: epochs, y: records.map(\.validationLoss), style: .linespoints),
          ])
      case .accuracy:
        return Plot(
          title: "accuracy", xlabel: "epoch", ylabel: "accuracy (%)",
          series: [
            Plot.Series("training", x: epochs, y: records.map { $0.trainAccuracy * 100 }, style: .linespoints),
            Plot.Series("validation", x: epochs, y: records.map { $0.validationAccuracy * 100 }, style: .linespoints),
          ], settings: ["set key bottom right box opaque"])
      case .accuracyVsTime:
        return Plot(
          title: "validation accuracy vs time", xlabel: "training time (s)", ylabel: "accuracy (%)",
          series: [
            Plot.Series("validation", x: records.map(\.elapsedSeconds), y: records.map { $0.validationAccuracy * 100 }, style: .linespoints)
          ], settings: ["set key bottom right box opaque"])
      }
    }
    return Figure(name: "curves", title: title, panels: plots)
  }

  /// Several runs' validation accuracy against epoch and against time (Milisavljevic Figs. 8–10).
  public static func comparison(name: String, title: String, runs: [(label: String, records: [EpochRecord])]) -> Figure {
    Figure(
      name: name, title: title,
      panels: [
        Plot(
          title: "validation accuracy vs epoch", xlabel: "epoch", ylabel: "accuracy (%)",
          series: runs.map { Plot.Series($0.label, x: $0.records.map { Double($0.epoch) }, y: $0.records.map { $0.validationAccuracy * 100 }, style: .linespoints) },
          settings: ["set key bottom right box opaque"]),
        Plot(
          title: "validation accuracy vs training time", xlabel: "training time (s)", ylabel: "accuracy (%)",
          series: runs.map { Plot.Series($0.label, x: $0.records.map(\.elapsedSeconds), y: $0.records.map { $0.validationAccuracy * 100 }, style: .linespoints) },
          settings: ["set key bottom right box opaque"]),
      ], layout: (1, 2))
  }
}
