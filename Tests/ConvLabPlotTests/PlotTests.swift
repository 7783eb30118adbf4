import ConvLabCore
import ConvLabFigures
import ConvLabPlot
import Foundation
import Testing

@Suite("gnuplot layer")
struct PlotTests {
  let figure = Figure(
    name: "demo", title: "two panels",
    panels: [
      Plot(title: "line", xlabel: "x", ylabel: "y", series: [Plot.Series("x²", x: [0, 1, 2], y: [0, 1, 4])]),
      Plot(title: "matrix", matrix: Matrix(rows: 2, cols: 2, storage: [1, 2, 3, 4])),
    ])

  @Test("the data file has one block per series and matrix, matrices printed row 1 at the top")
  func dataBlocks() {
    let blocks = figure.data.components(separatedBy: "\n\n\n")
    #expect(blocks.count == 2)
    // Panel order: the curve, then the matrix [[1, 3], [2, 4]] (column-major storage), whose
    // block lists the last row first because gnuplot's row 0 is the bottom.
    #expect(blocks[0].hasPrefix("# x²\n0 0\n1 1\n2 4"))
    #expect(blocks[1].trimmingCharacters(in: .newlines) == "2 4\n1 3")
  }

  @Test("the script draws both PNG and SVG and reads every block by index")
  func script() {
    let s = figure.script(dataFile: "demo.dat")
    #expect(s.contains("set output 'demo.png'") && s.contains("set output 'demo.svg'"))
    #expect(s.contains("index 1 matrix with image") && s.contains("index 0 using 1:2"))
    #expect(s.contains("set multiplot layout 1,2"))
  }

  @Test("render writes .dat and .gp, and with gnuplot installed a PNG and an SVG")
  func render() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("convlab-plot-test-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let files = try Gnuplot.render(figure, into: folder)
    for f in files { #expect(FileManager.default.fileExists(atPath: folder + "/" + f), "\(f) missing") }
    if SystemInfo.gnuplot != nil {
      #expect(files.contains("demo.png") && files.contains("demo.svg"))
      let png = try #require(FileManager.default.contents(atPath: folder + "/demo.png"))
      #expect(png.prefix(4) == Data([0x89, 0x50, 0x4E, 0x47]))
      let text = try #require(try Gnuplot.text(figure, width: 80, height: 24))
      #expect(text.split(separator: "\n").count >= 20)
    } else {
      #expect(files == ["demo.dat", "demo.gp"])
    }
  }
}

@Suite("paper figures")
struct PaperFigureTests {
  @Test("every deterministic figure renders (data, script, and with gnuplot PNG + SVG), identically twice")
  func everyFigure() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("convlab-figures-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let figures = try PaperFigures.deterministic()
    #expect(figures.count == 8)
    for figure in figures {
      let files = try Gnuplot.render(figure, into: folder)
      #expect(files.count == (SystemInfo.gnuplot == nil ? 2 : 4), "\(figure.name)")
      for f in files {
        let size = (try? FileManager.default.attributesOfItem(atPath: folder + "/" + f)[.size] as? Int) ?? 0
        #expect(size > 0, "\(f) is empty")
      }
    }
    // Fixed seeds: the data files do not change from one generation to the next.
    let again = try PaperFigures.deterministic()
    #expect(zip(figures, again).allSatisfy { $0.data == $1.data })
  }

  @Test("the activation figure is the blocks' own f and f′: sigmoid′ = σ(1 − σ) (Murugan Table 1, corrected)")
  func activationValues() throws {
    let figure = try PaperFigures.activations()
    let sigmoid = figure.panels[0].series[0]
    let slope = figure.panels[1].series[0]
    for (s, d) in zip(sigmoid.y, slope.y) { #expect(abs(d - s * (1 - s)) < 1e-12) }
  }
}
