import ArgumentParser
import ConvLabBlocks
import ConvLabCUDA
import ConvLabCore
import Foundation

extension ConvLab {
  /// `convlab info`: the machine as ConvLab sees it.
  struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Report the CPU, the OpenBLAS kernel in use and its measured speed, gnuplot and CUDA.")

    @Flag(help: "Skip the short sgemm measurement.")
    var noMeasure = false

    func run() throws {
      let cpu = CPUFeatures.current
      print(Terminal.bold("ConvLab"))
      print("  CPU          \(CPUFeatures.modelName) (\(cpu.vendor)), \(SystemInfo.processorCount) logical cores")
      print("  features     \(cpu.names.joined(separator: " "))")
      print("  OpenBLAS     kernel \(OpenBLASRuntime.coreName) (\(OpenBLASRuntime.selectionNote))")
      print("               \(OpenBLASRuntime.threads) threads; config: \(OpenBLASRuntime.config)")
      print("               idle threads spin 2^\(OpenBLASRuntime.threadTimeoutInUse) cycles, then sleep (OPENBLAS_THREAD_TIMEOUT)")
      if !noMeasure {
        let gflops = OpenBLASRuntime.measureSgemm(n: 1024, repeats: 5)
        print("  sgemm        \(String(format: "%.1f", gflops)) GFLOP/s at 1024×1024×1024 (median of 5)")
      }
      print("  sigmoid      Float32 kernel compiled for \(FastSigmoid.variant) (chosen at run time from the CPU's features)")
      print("  conv         Float32, chosen at run time from the CPU's features:")
      for line in Conv.float32Kernels { print("               " + line) }
      print("               Float64: im2row + OpenBLAS")
      if let gnuplot = SystemInfo.gnuplot {
        print("  gnuplot      \(gnuplot.path) (\(gnuplot.version))")
      } else {
        print("  gnuplot      not found (install it with `make setup` or `apt-get install gnuplot-nox`)")
      }
      for line in CUDAReport.lines() { print(line) }
      print(
        CUDAReport.ready
          ? "  --path cuda  ready to try: `convlab check all --path cuda` compares every block with the CPU"
          : "  --path cuda  unavailable here; `convlab check all --path host` runs the same device code on the CPU")
    }
  }
}
