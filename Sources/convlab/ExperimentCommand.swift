import ArgumentParser
import ConvLabCore
import ConvLabData
import ConvLabFigures
import ConvLabNetworks
import ConvLabPlot
import Foundation

struct Experiment: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "experiment",
    abstract: "Re-run a paper's experiments on Fashion-MNIST and print its tables beside ours.",
    discussion: """
      milisavljevic: Milisavljevic §4 — 4 × (conv 3×3, pad 1, ReLU, reduction) networks with \
      max / average / max+average pooling, stride, dilation or none, and the fully connected \
      baseline; Tables 1–5. The paper trained 100 epochs on EMNIST with batch 100; each run \
      here is a folder under --out (finished runs are reused, unfinished ones resumed). \
      Figures 8–10 (validation accuracy vs epoch and time) are drawn into --out.
      """)

  @Argument(help: "The experiment.")
  var name: ExperimentName
  @Option(help: "Tables to run, e.g. 1,2,4 (default: all five).")
  var tables = "1,2,3,4,5"
  @Option(help: "Folder for the runs and tables (default runs/milisavljevic).")
  var out = "runs/milisavljevic"
  @OptionGroup var training: TrainingArguments

  func run() throws {
    let wanted = try tables.split(separator: ",").map { t -> Int in
      guard let n = Int(t.trimmingCharacters(in: .whitespaces)), (1...5).contains(n) else { throw ConvLabError("--tables '\(tables)' should list table numbers 1–5, e.g. 1,2,4.") }
      return n
    }
    // Batch 100 is the paper's; LeNet's 0.05 is too large a rate for these deeper ReLU nets.
    let options = try training.options(defaultBatch: 100, defaultLearningRate: 0.02)
    let data = try training.load()
    print(
      "Milisavljevic §4 on \(data.source): \(data.train.count) training, \(data.validation.count) validation, \(data.test.count) test images; \(options.epochs) epochs, batch \(options.batchSize) (the paper: EMNIST, 100 epochs, batch 100)"
    )
    try makeDirectory(out)
    var results: [String: (TrainingRun.Result, [EpochRecord])] = [:]
    var report: [String] = []
    for table in MilisavljevicExperiment.tables where wanted.contains(table.number) {
      for row in table.rows where results[row.spec] == nil {
        let folder = out + "/" + Self.slug(row.spec)
        results[row.spec] = try Self.runOrReuse(row: row, folder: folder, options: options, data: data, training: training)
      }
      let lines = Self.format(table, results: results)
      print("\n" + lines.joined(separator: "\n"))
      report += [""] + lines
      let figure = TrainingFigures.comparison(
        name: "table\(table.number)", title: "Milisavljevic \(table.title) on Fashion-MNIST",
        runs: table.rows.compactMap { r in results[r.spec].map { (r.label, $0.1) } })
      try Gnuplot.render(figure, into: out)
    }
    try writeAtomically(Data((report.joined(separator: "\n") + "\n").utf8), to: out + "/tables.txt")
    print("\nsaved: \(out)/tables.txt, table*.png (validation accuracy vs epoch and time), one folder per network")
  }

  /// A folder name for a spec: its items, shortened.
  static func slug(_ spec: String) -> String {
    spec.replacingOccurrences(of: "; loss softmaxlog", with: "").replacingOccurrences(of: "; relu", with: "")
      .replacingOccurrences(of: "conv 3x3x", with: "c").replacingOccurrences(of: " pad ", with: "p").replacingOccurrences(of: " stride ", with: "s")
      .replacingOccurrences(of: " dilate ", with: "d").replacingOccurrences(of: "pool ", with: "").replacingOccurrences(of: " ceil", with: "")
      .replacingOccurrences(of: "dense ", with: "fc").replacingOccurrences(of: "; ", with: "-").replacingOccurrences(of: " ", with: "")
  }

  static func runOrReuse(row: MilisavljevicExperiment.Row, folder: String, options: TrainingOptions, data: DataSplits, training: TrainingArguments) throws -> (TrainingRun.Result, [EpochRecord]) {
    let run = TrainingRun(folder: folder, data: training.dataIdentity)
    if let saved = try? JSONDecoder().decode(TrainingRun.Result.self, from: readFile(folder + "/result.json")), saved.epochs == options.epochs,
      let records = try? Train.records(in: folder)
    {
      print("\(row.label): reusing \(folder) (test accuracy \(String(format: "%.1f%%", saved.testAccuracy * 100)))")
      return (saved, records)
    }
    print("\n\(Terminal.bold(row.label)): \(row.spec)")
    let resume = FileManager.default.fileExists(atPath: run.checkpointPath)
    let result = try Train.train(
      spec: try NetSpec(parsing: row.spec), options: options, data: data, run: run, resume: resume, label: row.label,
      engine: try training.engine())
    print("\(row.label): test accuracy: \(String(format: "%.1f%%", result.testAccuracy * 100))")
    return (result, try Train.records(in: folder))
  }

  /// The table as aligned text: ours beside the paper's.
  static func format(_ table: MilisavljevicExperiment.Table, results: [String: (TrainingRun.Result, [EpochRecord])]) -> [String] {
    var lines = ["Table \(table.number): \(table.title)"]
    let header = ["network", "params", "test acc", "best epoch", "s/epoch", "s to best", "paper acc (EMNIST)", "paper s to best (K80)"]
    var rows: [[String]] = []
    for row in table.rows {
      guard let (r, _) = results[row.spec] else { continue }
      rows.append([
        row.label, String(r.parameters), String(format: "%.3f", r.testAccuracy), String(r.bestEpoch), String(format: "%.1f", r.averageEpochSeconds),
        String(format: "%.0f", r.secondsToBest), row.paperAccuracy.isNaN ? "—" : String(format: "%.3f", row.paperAccuracy),
        row.paperSecondsToBest.map { String(format: "%.0f", $0) } ?? "—",
      ])
    }
    let widths = header.indices.map { c in ([header[c]] + rows.map { $0[c] }).map(\.count).max()! }
    func line(_ cells: [String]) -> String {
      cells.enumerated().map { c, s in c == 0 ? s.padding(toLength: widths[c], withPad: " ", startingAt: 0) : String(repeating: " ", count: widths[c] - s.count) + s }.joined(separator: "  ")
    }
    lines.append(line(header))
    lines.append(widths.map { String(repeating: "─", count: $0) }.joined(separator: "  "))
    lines += rows.map(line)
    return lines
  }
}
