import ConvLabCore
import Foundation

/// `exercise.json`: what the packet asks for (never the answer).
public struct PacketFile: Codable, Sendable {
  public var exercise: String
  public var student: String
  public var title: String
  public var kind: ExerciseKind
  public var citation: String
  public var parts: [PartSpec]
}

/// The files a student receives: README.md, the inputs (.npy in MatConvNet layout and .csv),
/// exercise.json.
public enum Packet {
  /// Writes the packet for `instance` into `directory`.
  public static func write(_ exercise: any Exercise, student: String, instance: Instance, to directory: String) throws {
    try makeDirectory(directory)
    // Inputs shared by every part that has them keep the plain name (x.npy); others get the part's prefix.
    var specs: [PartSpec] = []
    var files: [String: Tensor<Double>] = [:]
    for part in instance.parts {
      var spec = part.spec
      for (role, tensor) in part.inputs.sorted(by: { $0.key < $1.key }) {
        let shared = instance.parts.allSatisfy { $0.inputs[role] == nil || $0.inputs[role] == tensor }
        let name = shared ? role : "\(part.spec.name)_\(role)"
        spec.inputs[role] = name + ".npy"
        files[name] = tensor
      }
      specs.append(spec)
    }
    for (name, tensor) in files {
      try NPYArray(tensor).write(to: (directory as NSString).appendingPathComponent(name + ".npy"))
      try CSV.write(tensor, to: (directory as NSString).appendingPathComponent(name + ".csv"))
    }
    let file = PacketFile(exercise: exercise.id, student: student, title: exercise.title, kind: exercise.kind, citation: exercise.citation, parts: specs)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    try writeAtomically(try encoder.encode(file) + Data("\n".utf8), to: (directory as NSString).appendingPathComponent("exercise.json"))
    try writeAtomically(Data(readme(exercise, student: student, instance: instance, specs: specs, files: files).utf8), to: (directory as NSString).appendingPathComponent("README.md"))
    if exercise is SwiftExercise {
      try writeAtomically(Data(SwiftExercise.casesText(instance.parts).utf8), to: (directory as NSString).appendingPathComponent("sample.txt"))
    }
  }

  /// Reads `exercise.json` and the inputs it names.
  public static func read(_ directory: String) throws -> (PacketFile, [Part]) {
    let path = (directory as NSString).appendingPathComponent("exercise.json")
    let file: PacketFile
    do {
      file = try JSONDecoder().decode(PacketFile.self, from: try readFile(path))
    } catch let error as ConvLabError {
      throw error
    } catch {
      throw ConvLabError("\(path) is not a ConvLab exercise file: \(error.localizedDescription)")
    }
    let parts = try file.parts.map { spec in
      Part(spec: spec, inputs: try spec.inputs.mapValues { try readTensor((directory as NSString).appendingPathComponent($0)) })
    }
    return (file, parts)
  }

  static func readme(_ exercise: any Exercise, student: String, instance: Instance, specs: [PartSpec], files: [String: Tensor<Double>]) -> String {
    var lines = [
      "# \(exercise.title)",
      "",
      "Exercise `\(exercise.id)` (\(exercise.kind.rawValue)) for student `\(student)` — \(exercise.citation).",
      "",
      "## Task",
      "",
      instance.task,
      "",
    ]
    if !files.isEmpty {
      lines += ["## Inputs", "", "Each input is given as `.npy` (MatConvNet layout H×W×D×N, Fortran order) and as `.csv` (H rows; the columns of every channel and image side by side, as MATLAB's `reshape(a, H, [])`).", ""]
      for (name, t) in files.sorted(by: { $0.key < $1.key }) {
        lines.append("- `\(name)` — \(t.shape)")
        if t.count <= 40 {
          lines.append("")
          lines.append("  ```")
          lines += CSV.encode(t).split(separator: "\n").map { "  " + $0.split(separator: ",").map { String(format: "%7g", Double($0) ?? 0) }.joined(separator: " ") }
          lines.append("  ```")
        }
      }
      lines.append("")
    }
    let symbolic = exercise is SymbolicExercise
    lines += ["## What to submit", "", symbolic ? SymbolicExercise.submitSentence : "One file per part in your submission folder, `PART.npy` or `PART.csv` (plain numbers, commas or spaces between them):", "",
              "| part | what | shape | CSV layout | points |", "|---|---|---|---|---|"]
    for s in specs {
      lines.append("| `\(s.name)` | \(s.answer) | \(s.shape.map(String.init).joined(separator: "×")) | \(s.layout) | \(jsonNumber(s.maxScore)) |")
    }
    lines += ["", symbolic ? SymbolicExercise.gradingSentence : Tolerance.sentence, "",
              "Check your answer with `convlab exercise check PACKET SUBMISSION`: it says which parts are right, which entries are off, and what the mistake probably is — never the answer.", ""]
    return lines.joined(separator: "\n")
  }
}
