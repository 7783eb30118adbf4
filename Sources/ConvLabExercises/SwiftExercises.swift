import ConvLabBlocks
import ConvLabCore
import Foundation

/// Implement a backward pass in Swift: the student fills in one function of a small package;
/// the grader compiles it with the exercise's own harness and runs it on fresh hidden
/// instances, then grades each output with the same catalogue as the by-hand exercise.
public struct SwiftExercise: Exercise {
  public enum Task: String, Sendable, CaseIterable {
    case convBackward = "swift-conv-backward"
    case maxPoolBackward = "swift-maxpool-backward"
  }
  public let task: Task

  public init(_ task: Task) { self.task = task }
  public var id: String { task.rawValue }
  public var kind: ExerciseKind { .swift }
  public var title: String {
    switch task {
    case .convBackward: return "Implement conv's dz/dx in Swift"
    case .maxPoolBackward: return "Implement max pooling's dz/dx in Swift"
    }
  }
  public var citation: String { byHand.citation }

  /// The by-hand exercise whose instances and catalogue this one reuses.
  var byHand: any Exercise {
    switch task {
    case .convBackward: return ConvBackwardExercise()
    case .maxPoolBackward: return MaxPoolExercise()
    }
  }

  public func generate(using rng: inout SeededGenerator) throws -> Instance {
    let instance = try byHand.generate(using: &rng)
    guard var part = instance.parts.first(where: { $0.spec.answer == "dzdx" }) else { throw ConvLabError("\(id): no dz/dx part to implement.") }
    part.spec.name = "function"
    part.spec.kind = "swift"
    part.spec.maxScore = 4
    let task = """
      Implement `\(functionName)` in `Sources/Exercise/Student.swift` (made by `convlab exercise init-swift \(id) --student ID DIR`).
      Arrays are `Array4` values in MatConvNet's column-major H×W×D×N layout with 0-based subscripts `a[i, j, d, n]`.
      `swift run Exercise < sample.txt` prints your result for this packet's instance (the inputs below); grading runs your
      function on fresh hidden instances of the same kind. Only `Student.swift` is graded.

      The packet's instance: \(instance.task)
      """
    return Instance(parts: [part], task: task)
  }

  public func solve(_ part: Part) throws -> Solution {
    var p = part
    p.spec.name = "dzdx"
    return try byHand.solve(p)
  }

  var functionName: String {
    switch task {
    case .convBackward: return "convBackwardData(x:w:dzdy:stride:pad:dilate:)"
    case .maxPoolBackward: return "maxPoolBackward(x:dzdy:size:stride:)"
    }
  }

  /// The file the student edits.
  public func stub(student: String) -> String {
    let body: String
    switch task {
    case .convBackward:
      body = """
        /// dz/dx of MatConvNet's `conv` for one image (MatConvNet §4.1, §6.1; Xu (15)–(18)).
        ///
        /// Forward pass (0-based): y[i″, j″, k] = Σ_{i′, j′, d} w[i′, j′, d, k] · x[S·i″ + D·i′ − P, S·j″ + D·j′ − P, d]
        /// (samples outside x are zero padding), with stride S, padding P on every side and dilation D.
        /// - Parameters: x is H×W×C, w is FH×FW×C×K, dzdy is H″×W″×K.
        /// - Returns: dz/dx, shaped like x.
        func convBackwardData(x: Array4, w: Array4, dzdy: Array4, stride: Int, pad: Int, dilate: Int) -> Array4 {
          var dzdx = Array4(shape: x.shape)
          // Your code here.
          return dzdx
        }
        """
    case .maxPoolBackward:
      body = """
        /// dz/dx of max pooling for one image and one channel (MatConvNet §6.3; Xu (7)–(8); Vardhan App. B).
        ///
        /// Forward pass (0-based): y[i″, j″] = max over the size×size window starting at (stride·i″, stride·j″); windows may
        /// overlap. When several samples tie for the maximum, the first in column-major order is the one selected.
        /// - Parameters: x is H×W, dzdy is H″×W″.
        /// - Returns: dz/dx, shaped like x.
        func maxPoolBackward(x: Array4, dzdy: Array4, size: Int, stride: Int) -> Array4 {
          var dzdx = Array4(shape: x.shape)
          // Your code here.
          return dzdx
        }
        """
    }
    return "// ConvLab exercise \(id), student \(student). Fill in the function; keep its signature.\n\n" + body + "\n"
  }

  /// The call `main.swift` makes for one case.
  var call: String {
    switch task {
    case .convBackward:
      return "convBackwardData(x: c.array(\"x\"), w: c.array(\"w\"), dzdy: c.array(\"dzdy\"), stride: c.option(\"stride\"), pad: c.option(\"pad\"), dilate: c.option(\"dilate\"))"
    case .maxPoolBackward:
      return "maxPoolBackward(x: c.array(\"x\"), dzdy: c.array(\"dzdy\"), size: c.option(\"pool-size\"), stride: c.option(\"stride\"))"
    }
  }

  /// The harness: reads cases from standard input, calls the student's function, prints results.
  public var mainSource: String {
    """
    // ConvLab exercise harness (regenerated at grading time; edits here are not graded).
    var cases: [Case] = []
    var current = Case()
    while let line = readLine() {
      let words = line.split(separator: " ").map(String.init)
      guard let head = words.first else { continue }
      switch head {
      case "case": current = Case()
      case "opt": current.options[words[1]] = Int(words[2]) ?? 0
      case "arr":
        let shape = words[2...].compactMap { Int($0) }
        let values = (readLine() ?? "").split(separator: " ").compactMap { Double(String($0)) }
        current.arrays[words[1]] = Array4(shape: shape, values: values)
      case "end": cases.append(current)
      default: break
      }
    }
    for c in cases {
      let out = \(call)
      print("out " + out.shape.map(String.init).joined(separator: " "))
      print(out.values.map { "\\($0)" }.joined(separator: " "))
    }

    """
  }

  /// `Array4` and the case reader, shared by the student's package and the grader.
  public static let supportSource = """
    // ConvLab exercise support (regenerated at grading time; edits here are not graded).

    /// A column-major H×W×D×N array (MatConvNet's layout): a[i, j, d, n] with 0-based subscripts.
    struct Array4 {
      var shape: [Int]
      var values: [Double]

      /// Zeros of the given shape (missing trailing dimensions are 1).
      init(shape: [Int]) {
        self.shape = shape + Array(repeating: 1, count: max(0, 4 - shape.count))
        values = Array(repeating: 0, count: self.shape.reduce(1, *))
      }

      init(shape: [Int], values: [Double]) {
        self.init(shape: shape)
        precondition(values.count == self.values.count, "values do not fill the shape")
        self.values = values
      }

      subscript(i: Int, j: Int, d: Int = 0, n: Int = 0) -> Double {
        get { values[i + shape[0] * (j + shape[1] * (d + shape[2] * n))] }
        set { values[i + shape[0] * (j + shape[1] * (d + shape[2] * n))] = newValue }
      }
    }

    /// One instance: named arrays and integer options.
    struct Case {
      var arrays: [String: Array4] = [:]
      var options: [String: Int] = [:]
      func array(_ name: String) -> Array4 { arrays[name] ?? Array4(shape: [1]) }
      func option(_ name: String) -> Int { options[name] ?? 1 }
    }

    """

  /// `Package.swift` of the student's package.
  public static let packageSource = """
    // swift-tools-version:5.9
    import PackageDescription

    let package = Package(
      name: "Exercise",
      targets: [.executableTarget(name: "Exercise", path: "Sources/Exercise")]
    )

    """

  /// The cases file the harness reads: every part's inputs and integer options.
  static func casesText(_ parts: [Part]) -> String {
    var text = ""
    for part in parts {
      text += "case\n"
      for (key, value) in part.spec.options.sorted(by: { $0.key < $1.key }) {
        if let v = Int(value.split(separator: ",").first ?? "") { text += "opt \(key) \(v)\n" }
      }
      for (name, t) in part.inputs.sorted(by: { $0.key < $1.key }) {
        text += "arr \(name) \(t.shape.dims.map(String.init).joined(separator: " "))\n"
        text += t.storage.map { "\($0)" }.joined(separator: " ") + "\n"
      }
      text += "end\n"
    }
    return text
  }

  /// Writes the student's package into `directory` (refusing to overwrite a `Student.swift`).
  public func writePackage(student: String, sample: [Part], to directory: String) throws {
    let sources = (directory as NSString).appendingPathComponent("Sources/Exercise")
    let studentFile = (sources as NSString).appendingPathComponent("Student.swift")
    guard !FileManager.default.fileExists(atPath: studentFile) else {
      throw ConvLabError("\(studentFile) already exists; choose another directory so your work is not overwritten.")
    }
    try makeDirectory(sources)
    try writeAtomically(Data(Self.packageSource.utf8), to: (directory as NSString).appendingPathComponent("Package.swift"))
    try writeAtomically(Data(Self.supportSource.utf8), to: (sources as NSString).appendingPathComponent("Support.swift"))
    try writeAtomically(Data(mainSource.utf8), to: (sources as NSString).appendingPathComponent("main.swift"))
    try writeAtomically(Data(stub(student: student).utf8), to: studentFile)
    if !sample.isEmpty {
      try writeAtomically(Data(Self.casesText(sample).utf8), to: (directory as NSString).appendingPathComponent("sample.txt"))
    }
  }
}
