import ConvLabBlocks
import ConvLabCore
import ConvLabExercises
import Foundation
import Testing

/// A fresh temporary folder.
func temporaryFolder(_ label: String = "ex") throws -> String {
  let path = FileManager.default.temporaryDirectory.appendingPathComponent("convlab-\(label)-\(UUID().uuidString)").path
  try makeDirectory(path)
  return path
}

let byHandExercises = Exercises.all.filter { $0.kind != .swift }
let seeds: [UInt64] = [1, 2, 3, 4, 5, 6]

@Suite("Exercise catalogue")
struct CatalogueTests {
  @Test func atLeastFifteenExercisesInAllFourKinds() {
    #expect(Exercises.all.count >= 15)
    #expect(Set(Exercises.all.map(\.kind)) == Set(ExerciseKind.allCases))
    #expect(Set(Exercises.all.map(\.id)).count == Exercises.all.count, "ids are unique")
    #expect(Exercises.all.allSatisfy { !$0.citation.isEmpty })
  }

  @Test func everyDiagnosisIdIsInTheMistakeCatalogue() throws {
    let known = Set(Mistakes.all.map(\.id))
    for e in Exercises.all {
      for part in try e.instance(seed: 1).parts {
        for v in try e.solve(part).variants { #expect(known.contains(v.id), "\(e.id) uses unknown mistake \(v.id)") }
      }
    }
  }

  /// The issue's list of mistake ids: each is produced by at least one exercise's catalogue.
  @Test func theIssuesMistakesAreAllCovered() throws {
    var produced = Set<String>()
    for e in Exercises.all {
      for seed in seeds { for part in try e.instance(seed: seed).parts { produced.formUnion(try e.solve(part).variants.map(\.id)) } }
    }
    produced.formUnion(["sign-flipped", "scaled"])  // generic: found from the answer itself
    let required = [
      "missing-flip", "transposed", "channels-swapped", "stride-not-dilated", "padding-not-cropped", "bias-not-summed",
      "avgpool-not-divided", "avgpool-wrong-divisor", "maxpool-ties-all", "overlap-assigned", "upsample-averaged",
      "softmax-diagonal-only", "sigmoid-squared", "missing-activation-derivative", "row-major-vec", "sign-flipped",
      "scaled", "batch-mean-missing",
    ]
    #expect(Set(required).subtracting(produced).isEmpty, "never produced: \(Set(required).subtracting(produced).sorted())")
  }
}

@Suite("Instance draws")
struct InstanceDrawTests {
  /// Every exercise draws a fair instance for every seed a course could give, not only for
  /// the handful the other tests use. `output-size`'s pooling part is fair on only ~6% of raw
  /// draws (padding 0 makes `padding-ignored` the answer itself); when the retries were
  /// shifted copies of one stream, a course of 30 students hit a seed with no fair draw in
  /// a CI run (25 of 100,000 seeds had none). Seeds are spread over the whole range (a SplitMix
  /// stream), as course secrets are, plus two seeds that had no fair draw then.
  @Test(arguments: byHandExercises.map(\.id))
  func everySeedDrawsAFairInstance(_ id: String) throws {
    let e = try Exercises.named(id)
    var seedStream = SeededGenerator(seed: 0xC0FFEE)
    let count = e.kind == .geometry ? 3_000 : 150
    let formerlyExhausted: [UInt64] = [13_430_436_667_864_889_349, 5_218_132_874_664_177_501]
    for seed in formerlyExhausted + (0..<count).map({ _ in seedStream.next() }) {
      #expect(throws: Never.self, "\(id) seed \(seed)") { _ = try e.instance(seed: seed) }
    }
  }
}

@Suite("Grading and diagnosis")
struct GradingTests {
  /// Answers are computed by the blocks' fast path in Double; a right answer given back must
  /// score full marks (the tolerance 10⁻³ relative is far above Double round-off).
  @Test(arguments: byHandExercises.map(\.id))
  func rightAnswerScoresFullMarks(_ id: String) throws {
    let e = try Exercises.named(id)
    for seed in seeds {
      for part in try e.instance(seed: seed).parts {
        let solution = try e.solve(part)
        let r = Grader.grade(part.spec, solution, submitted: solution.answer)
        #expect(r.status == .correct && r.score == part.spec.maxScore, "\(id) seed \(seed) part \(part.spec.name): \(r.feedback)")
      }
    }
  }

  /// The confusion-matrix test: every wrong variant of every part, submitted as the answer, is
  /// diagnosed as itself; −answer is `sign-flipped`; 0.37 × answer is `scaled` with its factor.
  @Test(arguments: byHandExercises.map(\.id))
  func everyVariantIsDiagnosedAsItself(_ id: String) throws {
    let e = try Exercises.named(id)
    for seed in seeds {
      for part in try e.instance(seed: seed).parts {
        let solution = try e.solve(part)
        for v in solution.variants {
          let r = Grader.grade(part.spec, solution, submitted: v.value)
          #expect(r.status == .wrong && r.diagnosis == v.id, "\(id) seed \(seed) part \(part.spec.name): \(v.id) diagnosed as \(r.diagnosis ?? "nil")")
          #expect(r.score < part.spec.maxScore)
        }
        guard part.spec.kind != "verdict" else { continue }
        let flipped = Grader.grade(part.spec, solution, submitted: solution.answer.map { -$0 })
        #expect(flipped.diagnosis == "sign-flipped", "\(id) seed \(seed) \(part.spec.name): −answer diagnosed as \(flipped.diagnosis ?? "nil")")
        let scaled = Grader.grade(part.spec, solution, submitted: solution.answer.map { 0.37 * $0 })
        #expect(scaled.diagnosis == "scaled" && scaled.feedback.contains("0.37"), "\(id) seed \(seed) \(part.spec.name): \(scaled.feedback)")
      }
    }
  }

  @Test func feedbackNeverContainsTheAnswer() throws {
    let e = ConvBackwardExercise()
    let part = try e.instance(seed: 7).parts[0]
    let solution = try e.solve(part)
    var wrong = solution.answer
    wrong.storage[0] += 5
    let r = Grader.grade(part.spec, solution, submitted: wrong)
    for v in solution.answer.storage where abs(v) > 9 { #expect(!r.feedback.contains("\(v)")) }
    #expect(r.grid?.contains("✗") == true && r.feedback.contains("1 of \(wrong.count) entries are off"))
  }

  /// Batch norm's backward written with the term through μ in ∂σ²/∂μ, which vanishes because
  /// Σ(x − μ) = 0, is the same answer and must not be flagged.
  @Test func bnormWithTheVanishingTermIsCorrect() throws {
    let e = BatchNormExercise()
    let part = try e.instance(seed: 3).parts[0]
    let x = try part.input("x")
    let g = try part.input("dzdy")
    let gains = try part.input("w")
    var dx = x
    for k in 0..<x.shape.d {
      let idx = (0..<x.count).filter { x.shape.subscripts($0).d == k }
      let m = Double(idx.count)
      let mu = idx.reduce(0) { $0 + x.storage[$1] } / m
      let v = idx.reduce(0) { $0 + (x.storage[$1] - mu) * (x.storage[$1] - mu) } / m
      let sigma = (v + 1e-4).squareRoot()
      let dxhat = idx.map { gains.storage[k] * g.storage[$0] }
      let dvar = zip(idx, dxhat).reduce(0) { $0 + $1.1 * (x.storage[$1.0] - mu) } * -0.5 * pow(sigma, -3)
      // The textbook form keeps dvar · (−2/m) Σ(x − μ), which is zero.
      let dmu = dxhat.reduce(0, +) * (-1 / sigma) + dvar * idx.reduce(0) { $0 - 2 * (x.storage[$1] - mu) } / m
      for (t, i) in idx.enumerated() { dx.storage[i] = dxhat[t] / sigma + dvar * 2 * (x.storage[i] - mu) / m + dmu / m }
    }
    let r = Grader.grade(part.spec, try e.solve(part), submitted: dx)
    #expect(r.status == .correct, "\(r.feedback)")
  }

  @Test func scaledFactorsAreShownAsFractions() {
    #expect(Grader.describeFactor(0.25) == "0.25 (= 1/4)")
    #expect(Grader.describeFactor(1.0 / 3).hasSuffix("(= 1/3)"))
    #expect(Grader.describeFactor(0.37) == "0.37")
  }
}

@Suite("Instances and packets")
struct PacketTests {
  @Test func instancesDifferBetweenStudentsAndRepeatExactly() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let course = try Course(directory: folder + "/course", create: true)
    let again = try Course(directory: folder + "/course")
    let other = try Course(directory: folder + "/other", create: true)
    func same(_ x: [Part], _ y: [Part]) -> Bool { zip(x, y).allSatisfy { $0.inputs == $1.inputs && $0.spec == $1.spec } }
    let students = (1...6).map { "s0\($0)" }
    for e in Exercises.all {
      let here = try students.map { try Exercises.instance(e, student: $0, course: course).parts }
      let there = try students.map { try Exercises.instance(e, student: $0, course: other).parts }
      let regenerated = try Exercises.instance(e, student: students[0], course: again).parts
      #expect(same(here[0], regenerated), "\(e.id): regenerated instance differs")
      // Some instance spaces are small (receptive-field: 96 layer stacks), so two given students
      // share an instance by chance about once in 96 courses (the course key is random); six
      // students all alike, or alike in two courses, would not happen by chance (≤ 96⁻⁵).
      #expect(here.dropFirst().contains { !same($0, here[0]) }, "\(e.id): every student got the same instance")
      #expect(zip(here, there).contains { !same($0, $1) }, "\(e.id): two courses gave the same instances")
    }
  }

  @Test func seedsComeFromTheKeyedHash() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(atPath: folder) }
    // A fixed 32-byte key; the expected seed is the first 8 bytes (big-endian) of
    // HMAC-SHA256(key, "convlab|conv-backward|s01|packet") computed with Python's hmac module.
    try makeDirectory(folder)
    try writeAtomically(Data((String(repeating: "0b", count: 32) + "\n").utf8), to: folder + "/" + Course.secretFile)
    let course = try Course(directory: folder)
    #expect(course.seed(exercise: "conv-backward", student: "s01") == 0xB21B_376F_4122_A5B8)
  }

  @Test func packetHasInputsAndNoAnswer() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let course = try Course(directory: folder + "/course", create: true)
    try Exercises.newPacket("conv-backward", student: "ada", course: course, to: folder + "/p")
    let files = try FileManager.default.contentsOfDirectory(atPath: folder + "/p").sorted()
    #expect(files == ["README.md", "b.csv", "b.npy", "dzdy.csv", "dzdy.npy", "exercise.json", "w.csv", "w.npy", "x.csv", "x.npy"])
    let (file, parts) = try Packet.read(folder + "/p")
    #expect(file.exercise == "conv-backward" && file.student == "ada" && parts.map(\.spec.name) == ["dzdx", "dzdw", "dzdb"])
    #expect(parts.allSatisfy { $0.spec.block == "conv" && $0.inputs["x"] != nil })
    let json = String(decoding: try readFile(folder + "/p/exercise.json"), as: UTF8.self)
    for key in ["\"exercise\"", "\"student\"", "\"parts\"", "\"name\"", "\"kind\"", "\"block\"", "\"options\"", "\"inputs\"", "\"answer\"", "\"shape\""] {
      #expect(json.contains(key))
    }
  }

  /// exercise.json names its inputs; a name that leaves the packet folder is refused before
  /// anything is read (the file it points at exists, so only the check can refuse it).
  @Test func packetInputsStayInsideThePacket() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let course = try Course(directory: folder + "/course", create: true)
    try Exercises.newPacket("conv-backward", student: "ada", course: course, to: folder + "/p")
    try FileManager.default.copyItem(atPath: folder + "/p/x.npy", toPath: folder + "/outside.npy")
    try makeDirectory(folder + "/q")
    for f in ["b.npy", "dzdy.npy", "w.npy", "x.npy"] { try FileManager.default.copyItem(atPath: folder + "/p/" + f, toPath: folder + "/q/" + f) }
    for name in ["../outside.npy", folder + "/outside.npy", "..", ""] {
      var json = try #require(try JSONSerialization.jsonObject(with: try readFile(folder + "/p/exercise.json")) as? [String: Any])
      var parts = try #require(json["parts"] as? [[String: Any]])
      var inputs = try #require(parts[0]["inputs"] as? [String: String])
      #expect(inputs["x"] == "x.npy", "the packet names x.npy")
      inputs["x"] = name
      parts[0]["inputs"] = inputs
      json["parts"] = parts
      try writeAtomically(try JSONSerialization.data(withJSONObject: json), to: folder + "/q/exercise.json")
      #expect(throws: ConvLabError.self, "input named '\(name)'") { _ = try Packet.read(folder + "/q") }
    }
  }

  @Test func gradingATamperedPacketIsRefused() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let course = try Course(directory: folder + "/course", create: true)
    try Exercises.newPacket("relu-backward", student: "ada", course: course, to: folder + "/p")
    var x: Tensor<Double> = try readTensor(folder + "/p/x.npy")
    x.storage[0] = 0.5
    try NPYArray(x).write(to: folder + "/p/x.npy")
    try makeDirectory(folder + "/sub")
    #expect(throws: ConvLabError.self) { try Exercises.grade(packet: folder + "/p", submission: folder + "/sub", course: course) }
  }

  @Test func malformedSubmissionsAreInvalidWithFileLineAndEntry() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let course = try Course(directory: folder + "/course", create: true)
    try Exercises.newPacket("relu-backward", student: "ada", course: course, to: folder + "/p")
    let (_, parts) = try Packet.read(folder + "/p")
    let shape = parts[0].spec.shape
    func grade(_ files: [String: Data]) throws -> PartResult {
      let sub = try temporaryFolder("sub")
      defer { try? FileManager.default.removeItem(atPath: sub) }
      for (name, data) in files { try writeAtomically(data, to: sub + "/" + name) }
      return try Exercises.grade(packet: folder + "/p", submission: sub, course: course).parts[0]
    }
    let row = Array(repeating: "1", count: shape[1]).joined(separator: ",")
    var rows = Array(repeating: row, count: shape[0])
    rows[1] = "1,nan" + String(repeating: ",1", count: shape[1] - 2)
    let nan = try grade(["dzdx.csv": Data(rows.joined(separator: "\n").utf8)])
    #expect(nan.status == .invalid && nan.feedback.contains("dzdx.csv, line 2, entry 2"), "\(nan.feedback)")
    #expect(!nan.feedback.contains("attempt"))
    let short = try grade(["dzdx.csv": Data("1,2\n3,4\n5,6\n7,8\n9,9\n".utf8)])
    #expect(short.status == .invalid && short.feedback.contains("rows") && short.feedback.contains("columns"), "\(short.feedback)")
    let missing = try grade([:])
    #expect(missing.status == .missing && missing.feedback.contains("no dzdx.npy or dzdx.csv") && !missing.feedback.contains("/"), "\(missing.feedback)")
    var values = Array(repeating: 1.0, count: shape[0] * shape[1])
    values[3] = .infinity
    let inf = try grade(["dzdx.npy": NPYArray(shape: shape, values: values).encoded()])
    #expect(inf.status == .invalid && inf.feedback.contains("entry (") && inf.feedback.contains("inf"), "\(inf.feedback)")
    let garbage = try grade(["dzdx.npy": Data("not numpy".utf8)])
    #expect(garbage.status == .invalid && garbage.feedback.contains("magic"), "\(garbage.feedback)")
  }

  /// A right answer written as CSV in the README's layout, and as .npy, both score full marks.
  @Test func csvAndNpyRoundTrip() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let course = try Course(directory: folder + "/course", create: true)
    try Exercises.newPacket("conv-backward", student: "ada", course: course, to: folder + "/p")
    let e = ConvBackwardExercise()
    let (_, parts) = try Packet.read(folder + "/p")
    try makeDirectory(folder + "/sub")
    for (k, part) in parts.enumerated() {
      let answer = try e.solve(part).answer
      if k == 0 { try CSV.write(answer, to: folder + "/sub/\(part.spec.name).csv") } else { try NPYArray(answer).write(to: folder + "/sub/\(part.spec.name).npy") }
    }
    let report = try Exercises.grade(packet: folder + "/p", submission: folder + "/sub", course: course)
    #expect(report.score == report.maxScore && report.parts.allSatisfy { $0.status == .correct }, "\(report.text)")
    #expect(report.json.contains("\"max_score\": 5") && report.json.contains("\"diagnosis\": null"))
  }
}

@Suite("Documentation")
struct DocumentationTests {
  /// Docs/exercises.md's "Adding an exercise" example is the real LeakyReLUExercise.swift, verbatim.
  @Test func readmeExampleIsTheCompiledFile() throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let readme = String(decoding: try readFile(root.appendingPathComponent("Docs/exercises.md").path), as: UTF8.self)
    let source = String(decoding: try readFile(root.appendingPathComponent("Sources/ConvLabExercises/LeakyReLUExercise.swift").path), as: UTF8.self)
    let body = try #require(source.range(of: "public struct LeakyReLUExercise")).lowerBound
    #expect(readme.contains(String(source[body...])))
  }
}
