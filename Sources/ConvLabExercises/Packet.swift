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
  /// Exam mode (`course.json` policy): the parts carry no `block`/`options`, and the student's
  /// `check` reports only readability and shape. Absent in packets made before exam mode.
  public var exam: Bool?
}

/// The files a student receives: README.md, the inputs (.npy in MatConvNet layout and .csv),
/// exercise.json.
public enum Packet {
  /// Writes the packet for `instance` into `directory`, whole or not at all: the files go into
  /// a temporary sibling folder that then replaces `directory`, so a packet never mixes with the
  /// files of an earlier one and a failure leaves the earlier packet as it was. In exam mode the
  /// parts carry no `block`/`options`.
  public static func write(_ exercise: any Exercise, student: String, instance: Instance, to directory: String, exam: Bool = false) throws {
    let target = URL(fileURLWithPath: directory).standardizedFileURL
    let parent = target.deletingLastPathComponent().path
    let name = target.lastPathComponent
    try makeDirectory(parent)
    let stamp = "\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))"
    let temporary = (parent as NSString).appendingPathComponent(".\(name).tmp-\(stamp)")
    do {
      try makeDirectory(temporary)
      try writeFiles(exercise, student: student, instance: instance, to: temporary, exam: exam)
      try replaceFolder(target.path, with: temporary, old: (parent as NSString).appendingPathComponent(".\(name).old-\(stamp)"))
    } catch {
      try? FileManager.default.removeItem(atPath: temporary)
      throw error
    }
  }

  /// Puts the folder `temporary` at `path`, moving an earlier folder there aside first and
  /// removing it after; refuses to replace anything that is not a plain folder.
  static func replaceFolder(_ path: String, with temporary: String, old: String) throws {
    var info = stat()
    guard lstat(path, &info) == 0 else {
      guard rename(temporary, path) == 0 else { throw ConvLabError("cannot write the packet \(path): \(String(cString: strerror(errno))).") }
      return
    }
    guard info.st_mode & S_IFMT == S_IFDIR else {
      throw ConvLabError.worded("cannot write the packet \(path): it exists and is not a folder (a file or a link); remove it or choose another \(setting: "out").")
    }
    guard rename(path, old) == 0 else { throw ConvLabError("cannot replace the packet \(path): \(String(cString: strerror(errno))).") }
    guard rename(temporary, path) == 0 else {
      let reason = String(cString: strerror(errno))
      _ = rename(old, path)
      throw ConvLabError("cannot replace the packet \(path): \(reason).")
    }
    try? FileManager.default.removeItem(atPath: old)
  }

  static func writeFiles(_ exercise: any Exercise, student: String, instance: Instance, to directory: String, exam: Bool) throws {
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
      if exam {
        spec.block = nil
        spec.options = [:]
      }
      specs.append(spec)
    }
    for (name, tensor) in files {
      try NPYArray(tensor).write(to: (directory as NSString).appendingPathComponent(name + ".npy"))
      try CSV.write(tensor, to: (directory as NSString).appendingPathComponent(name + ".csv"))
    }
    let file = PacketFile(exercise: exercise.id, student: student, title: exercise.title, kind: exercise.kind, citation: exercise.citation, parts: specs, exam: exam ? true : nil)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    try writeAtomically(try encoder.encode(file) + Data("\n".utf8), to: (directory as NSString).appendingPathComponent("exercise.json"))
    try writeAtomically(Data(readme(exercise, student: student, instance: instance, specs: specs, files: files, exam: exam).utf8), to: (directory as NSString).appendingPathComponent("README.md"))
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
      Part(
        spec: spec,
        inputs: try spec.inputs.mapValues { name in
          // exercise.json names files of its own packet: a plain name, never a path elsewhere.
          guard !name.isEmpty, !name.contains("/"), name != ".", name != ".." else {
            throw ConvLabError("\(path) names the input file '\(name)', which is not a file name inside the packet folder.")
          }
          return try readTensor((directory as NSString).appendingPathComponent(name))
        })
    }
    return (file, parts)
  }

  static func readme(_ exercise: any Exercise, student: String, instance: Instance, specs: [PartSpec], files: [String: Tensor<Double>], exam: Bool) -> String {
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
      lines += [
        "## Inputs", "",
        "Each input is given as `.npy` (MatConvNet layout H×W×D×N, Fortran order) and as `.csv` (H rows; the columns of every channel and image side by side, as MATLAB's `reshape(a, H, [])`).", "",
      ]
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
    lines += [
      "## What to submit", "", symbolic ? SymbolicExercise.submitSentence : "One file per part in your submission folder, `PART.npy` or `PART.csv` (plain numbers, commas or spaces between them):", "",
      "| part | what | shape | CSV layout | points |", "|---|---|---|---|---|",
    ]
    for s in specs {
      lines.append("| `\(s.name)` | \(s.answer) | \(s.shape.map(String.init).joined(separator: "×")) | \(s.layout) | \(jsonNumber(s.maxScore)) |")
    }
    lines += ["", symbolic ? SymbolicExercise.gradingSentence : Tolerance.sentence, ""]
    if exam {
      lines += [
        "Check your files with `convlab exercise check PACKET SUBMISSION`: this is a graded exam, so it says only whether each file is readable and has the right shape, not whether it is right.", "",
      ]
    } else {
      lines += ["Check your answer with `convlab exercise check PACKET SUBMISSION`: it says which parts are right, which entries are off, and what the mistake probably is — never the answer.", ""]
    }
    return lines.joined(separator: "\n")
  }
}
