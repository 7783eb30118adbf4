import ConvLabCore
import Foundation

/// One panel of a figure: curves, points or bars over x, or a matrix drawn as an image.
public struct Plot: Sendable {
  public enum Style: String, Sendable {
    case lines, points, linespoints, boxes, steps
  }

  /// A curve: (x, y) pairs drawn in one style.
  public struct Series: Sendable {
    public var title: String
    public var x: [Double]
    public var y: [Double]
    public var style: Style
    public var width: Double

    public init(_ title: String, x: [Double], y: [Double], style: Style = .lines, width: Double = 2) {
      precondition(x.count == y.count, "one y per x")
      self.title = title
      self.x = x
      self.y = y
      self.style = style
      self.width = width
    }
  }

  public var title: String
  public var xlabel = ""
  public var ylabel = ""
  public var series: [Series] = []
  /// A matrix drawn cell by cell (`with image`), row 1 at the top, as matrices are printed.
  public var matrix: Matrix<Double>? = nil
  /// Text drawn in the matrix's cells (e.g. each entry's value), when it is small.
  public var cellLabels = false
  /// Extra gnuplot commands for this panel (ranges, keys, palettes, logscale).
  public var settings: [String] = []

  public init(title: String, xlabel: String = "", ylabel: String = "", series: [Series] = [], settings: [String] = []) {
    self.title = title
    self.xlabel = xlabel
    self.ylabel = ylabel
    self.series = series
    self.settings = settings
  }

  public init(title: String, matrix: Matrix<Double>, cellLabels: Bool = false, settings: [String] = []) {
    self.title = title
    self.matrix = matrix
    self.cellLabels = cellLabels
    self.settings = settings
  }
}

/// A figure: one or more panels laid out in a grid, written as a data file and a gnuplot script
/// that draws it to PNG (pngcairo) and SVG.
public struct Figure: Sendable {
  public var name: String
  public var panels: [Plot]
  public var layout: (rows: Int, cols: Int)
  /// Pixel size of the PNG (the SVG uses the same size in points).
  public var size: (width: Int, height: Int)
  public var title: String

  public init(name: String, title: String = "", panels: [Plot], layout: (rows: Int, cols: Int)? = nil, size: (width: Int, height: Int)? = nil) {
    self.name = name
    self.title = title
    self.panels = panels
    let cols = layout?.cols ?? min(panels.count, 3)
    self.layout = layout ?? ((panels.count + cols - 1) / cols, cols)
    self.size = size ?? (420 * self.layout.cols + 80, 340 * self.layout.rows + (title.isEmpty ? 0 : 30))
  }

  /// Gnuplot string literal.
  static func quote(_ s: String) -> String {
    "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
  }

  static func number(_ v: Double) -> String { v.isFinite ? String(format: "%.10g", v) : "NaN" }

  /// The data file: one block per series or matrix, separated by two blank lines (gnuplot's
  /// `index`), in panel order.
  public var data: String {
    var blocks: [String] = []
    for panel in panels {
      if let m = panel.matrix {
        blocks.append((0..<m.rows).map { i in (0..<m.cols).map { j in Self.number(m[m.rows - 1 - i, j]) }.joined(separator: " ") }.joined(separator: "\n"))
      }
      for s in panel.series {
        blocks.append("# \(s.title)\n" + zip(s.x, s.y).map { "\(Self.number($0)) \(Self.number($1))" }.joined(separator: "\n"))
      }
    }
    return blocks.joined(separator: "\n\n\n") + "\n"
  }

  /// The drawing commands (without terminal and output), reading `dataFile`.
  func body(dataFile: String) -> String {
    var lines: [String] = []
    let multi = panels.count > 1
    if multi {
      lines.append("set multiplot layout \(layout.rows),\(layout.cols)\(title.isEmpty ? "" : " title \(Self.quote(title))")")
    } else if !title.isEmpty && panels.first?.title.isEmpty != false {
      lines.append("set title \(Self.quote(title))")
    }
    var index = 0
    for panel in panels {
      lines.append("reset")
      lines.append("set encoding utf8")
      if !panel.title.isEmpty { lines.append("set title \(Self.quote(panel.title))") }
      if !panel.xlabel.isEmpty { lines.append("set xlabel \(Self.quote(panel.xlabel))") }
      if !panel.ylabel.isEmpty { lines.append("set ylabel \(Self.quote(panel.ylabel))") }
      if let m = panel.matrix {
        lines += [
          "unset key", "set size ratio -1", "set xrange [-0.5:\(m.cols) - 0.5]", "set yrange [-0.5:\(m.rows) - 0.5]",
          "unset xtics", "unset ytics", "set palette gray negative", "unset colorbox",
        ]
        lines += panel.settings
        var plot = "plot \(Self.quote(dataFile)) index \(index) matrix with image"
        if panel.cellLabels {
          plot += ", '' index \(index) matrix using 1:2:(sprintf('%g', $3)) with labels font ',8' textcolor rgb '#c03030'"
        }
        lines.append(plot)
        index += 1
      } else {
        lines += ["set grid lc rgb '#dddddd'", "set key top right box opaque"]
        lines += panel.settings
        let parts = panel.series.enumerated().map { k, s -> String in
          let style: String
          switch s.style {
          case .boxes: style = "boxes fill solid 0.6 border lc rgb '#333333'"
          default: style = "\(s.style.rawValue) lw \(Self.number(s.width))\(s.style == .points || s.style == .linespoints ? " pt 7 ps 0.6" : "")"
          }
          return "\(k == 0 ? Self.quote(dataFile) : "''") index \(index + k) using 1:2 with \(style) title \(Self.quote(s.title))"
        }
        index += panel.series.count
        lines.append(parts.isEmpty ? "plot NaN notitle" : "plot " + parts.joined(separator: ", \\\n     "))
      }
    }
    if multi { lines.append("unset multiplot") }
    return lines.joined(separator: "\n")
  }

  /// The script that writes NAME.png and NAME.svg next to itself.
  public func script(dataFile: String) -> String {
    let font = "font 'DejaVu Sans,10'"
    let body = body(dataFile: dataFile)
    return """
      # \(name): generated by ConvLab (convlab figures); run `gnuplot \(name).gp` in this folder.
      set terminal pngcairo size \(size.width),\(size.height) enhanced \(font)
      set output '\(name).png'
      \(body)
      set terminal svg size \(size.width),\(size.height) enhanced \(font) background rgb 'white'
      set output '\(name).svg'
      \(body)
      set output

      """
  }

  /// The same figure for a text terminal (`--plot`): gnuplot's `dumb` terminal.
  public func dumbScript(dataFile: String, width: Int = 100, height: Int = 30) -> String {
    "set terminal dumb size \(width),\(height)\n\(body(dataFile: dataFile))\n"
  }
}

/// Writes figures and runs gnuplot.
public enum Gnuplot {
  /// The message when gnuplot is missing.
  public static let missing = "gnuplot is not installed, so only the data and scripts were written; install it with `sudo apt-get install gnuplot-nox` (or `make setup`) and run `make figures`."

  /// Writes NAME.dat and NAME.gp into `folder` (atomically) and, when gnuplot is installed,
  /// runs it there to draw NAME.png and NAME.svg. Returns the files written; throws with
  /// gnuplot's own message if it fails.
  @discardableResult
  public static func render(_ figure: Figure, into folder: String) throws -> [String] {
    try makeDirectory(folder)
    let dat = "\(figure.name).dat"
    let gp = "\(figure.name).gp"
    try writeAtomically(Data(figure.data.utf8), to: (folder as NSString).appendingPathComponent(dat))
    try writeAtomically(Data(figure.script(dataFile: dat).utf8), to: (folder as NSString).appendingPathComponent(gp))
    var files = [dat, gp]
    guard let gnuplot = SystemInfo.gnuplot?.path else { return files }
    try run(gnuplot, script: gp, in: folder, what: figure.name)
    files += ["\(figure.name).png", "\(figure.name).svg"]
    return files
  }

  /// Draws the figure as text (gnuplot's dumb terminal); nil when gnuplot is missing.
  public static func text(_ figure: Figure, width: Int = 100, height: Int = 30) throws -> String? {
    guard let gnuplot = SystemInfo.gnuplot?.path else { return nil }
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("convlab-plot-\(ProcessInfo.processInfo.processIdentifier)-\(figure.name)").path
    try makeDirectory(folder)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    try writeAtomically(Data(figure.data.utf8), to: folder + "/plot.dat")
    try writeAtomically(Data(figure.dumbScript(dataFile: "plot.dat", width: width, height: height).utf8), to: folder + "/plot.gp")
    return try run(gnuplot, script: "plot.gp", in: folder, what: figure.name)
  }

  @discardableResult
  static func run(_ gnuplot: String, script: String, in folder: String, what: String) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: gnuplot)
    process.arguments = [script]
    process.currentDirectoryURL = URL(fileURLWithPath: folder)
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    do { try process.run() } catch { throw ConvLabError("cannot run gnuplot: \(error.localizedDescription)") }
    let output = out.fileHandleForReading.readDataToEndOfFile()
    let errors = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
      let first = String(decoding: errors, as: UTF8.self).split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }.suffix(2).joined(separator: " ")
      throw ConvLabError("gnuplot failed on \(what): \(first)")
    }
    return String(decoding: output, as: UTF8.self)
  }
}
