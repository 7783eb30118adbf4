import ConvLabCore
import Foundation
import Testing

@Suite(.serialized) struct FoundationCommandTests {
  @Test func infoReportsAKernelThatMatchesTheCPU() throws {
    let r = try CLI.run(["info", "--no-measure"])
    #expect(r.status == 0)
    let cpu = CPUFeatures.current
    let line = r.stdout.split(separator: "\n").first { $0.contains("OpenBLAS") }.map(String.init) ?? ""
    // The kernel class must match the widest vector unit the CPU really has.
    if cpu.hasSkylakeXSet {
      #expect(["SkylakeX", "Cooperlake", "SapphireRapids"].contains { line.contains("kernel \($0)") }, "\(line)")
    } else if cpu.avx2 && cpu.fma {
      #expect(["Haswell", "Zen", "Excavator"].contains { line.contains("kernel \($0)") }, "\(line)")
    }
    #expect(r.stdout.contains("gnuplot"))
    #expect(r.stdout.contains("CUDA"))
  }

  @Test func aUsersCoreTypeIsNeverOverridden() throws {
    let r = try CLI.run(["info", "--no-measure"], environment: ["OPENBLAS_CORETYPE": "Prescott"])
    #expect(r.stdout.contains("kernel Prescott (OPENBLAS_CORETYPE=Prescott set by the user)"))
  }

  @Test func notationUpShowsKroneckerWithOnesAndThePrintedFormFailing() throws {
    let r = try CLI.run(["notation", "up", "--n", "2"])
    #expect(r.status == 0)
    #expect(r.stdout.contains("up(x) = x ⊗ 1₂ₓ₂"))
    #expect(r.stdout.contains("1₂ₓ₂\n⎡ 1 1 ⎤\n⎣ 1 1 ⎦"))
    #expect(r.stdout.contains("✗"))
  }

  @Test(arguments: ["vec", "unvec", "kron", "down", "average", "exchange", "rot180", "conv2", "xcorr2", "hadamard", "indicator", "im2row", "row2im", "kronforms"])
  func everyNotationTourRunsAndItsIdentitiesHold(op: String) throws {
    let r = try CLI.run(["notation", op, "--n", "2"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(!r.stdout.contains("✗"), "\(op): \(r.stdout)")
  }

  @Test func unknownNotationIsOneLineAndNonZero() throws {
    let r = try CLI.run(["notation", "frobnicate"])
    #expect(r.status != 0)
    #expect(r.stderr.contains("no notation tour for 'frobnicate'"))
    #expect(r.stderr.split(separator: "\n").count == 1)
  }

  @Test func lenetDerivesTheCounts() throws {
    let r = try CLI.run(["lenet"])
    #expect(r.status == 0)
    #expect(r.stdout.contains("Parameters = kernels·K² + biases = 60·5·5 + 16 = 1516"))
    #expect(r.stdout.contains("M_0 = {0, 4, 5, 6, 9, 10, 11, 12, 14, 15}"))
  }

  @Test func geometryPrintsSizesAndFields() throws {
    let r = try CLI.run(["geometry", "conv 5x5; pool 2x2 stride 2; conv 5x5; pool 2x2 stride 2", "--input", "32x32"])
    #expect(r.status == 0)
    #expect(r.stdout.contains("5×5"))
    #expect(r.stdout.contains("α=4 β=17/2 Δ=16"))
    let bad = try CLI.run(["geometry", "conv 9x9", "--input", "4x4"])
    #expect(bad.status != 0)
    #expect(bad.stderr.contains("layer 1 (conv 9x9)"))
  }
}
