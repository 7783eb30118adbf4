// swift-tools-version:6.0
import PackageDescription

// The targets in layers (Docs/architecture.md, kept true by Tests/ConvLabCoreTests/LayerTests.swift):
// a target depends only on targets in lower layers, and on exactly the modules it imports.
//   9  convlab            the CLI: parsing and printing, the only place that spells a flag
//   8  ConvLabExercises   classroom exercises, grading, the sandbox (spot-the-error verdicts from ConvLabDerive)
//   7  ConvLabDerive      derivations, the claim inventory and the audit
//      ConvLabFigures     the papers' figures and training curves
//   6  ConvLabNetworks    chains, DAGs, specs, training, checkpoints
//      ConvLabCUDA        the GPU engine (driver, NVRTC, cuBLAS by dlopen)
//   5  ConvLabDevice      blocks as kernels + GEMM on a ComputeEngine; HostEngine
//   4  ConvLabChecks      random check cases, the three-way check, benchmarks
//   3  ConvLabBlocks      the 15 blocks: literal, fast and Jacobian; typed options
//   2  ConvLabNotation    vec, kron, up/down, rot180, φ, geometry, symbolic algebra
//      ConvLabData        IDX files and datasets
//      ConvLabPlot        gnuplot figures
//   1  ConvLabCore        Tensor, Matrix, Scalar, files, sizes, errors
//   0  CBLAS              OpenBLAS (system library)
//      CConvLabSupport    cpuid, sigmoid, sgemm micro-kernel, im2row loops (C)
//      CConvLabKernels    the kernel source, compiled for the CPU and embedded for NVRTC (C)

/// Numeric code is generic over Float and Double across module boundaries (Tensor in Core,
/// kernels in Blocks); cross-module optimization lets release builds specialize it.
let numericSettings: [SwiftSetting] = [.unsafeFlags(["-cross-module-optimization"], .when(configuration: .release))]
let package = Package(
  name: "ConvLab",
  platforms: [.macOS(.v13)],
  products: [
    .executable(name: "convlab", targets: ["convlab"]),
    .library(name: "ConvLabCore", targets: ["ConvLabCore"]),
    .library(name: "ConvLabNotation", targets: ["ConvLabNotation"]),
    .library(name: "ConvLabBlocks", targets: ["ConvLabBlocks"]),
    .library(name: "ConvLabChecks", targets: ["ConvLabChecks"]),
    .library(name: "ConvLabData", targets: ["ConvLabData"]),
    .library(name: "ConvLabPlot", targets: ["ConvLabPlot"]),
    .library(name: "ConvLabNetworks", targets: ["ConvLabNetworks"]),
    .library(name: "ConvLabDerive", targets: ["ConvLabDerive"]),
    .library(name: "ConvLabExercises", targets: ["ConvLabExercises"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/apple/swift-numerics", from: "1.0.0"),
    // HMAC-SHA256 for the exercises' keyed per-student instances.
    .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    // Reading and writing NumPy .npz weights files (zip archives of .npy members).
    .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
  ],
  targets: [
    .systemLibrary(
      name: "CBLAS",
      pkgConfig: "openblas",
      providers: [.apt(["libopenblas-dev"])]
    ),
    // CPU feature detection (cpuid/xgetbv) for choosing OpenBLAS's kernel; C because Swift has no cpuid.
    .target(name: "CConvLabSupport"),
    .target(
      name: "ConvLabCore",
      dependencies: ["CBLAS", "CConvLabSupport", .product(name: "RealModule", package: "swift-numerics"), .product(name: "ZIPFoundation", package: "ZIPFoundation")],
      swiftSettings: numericSettings
    ),
    .target(name: "ConvLabNotation", dependencies: ["ConvLabCore"], swiftSettings: numericSettings),
    .target(name: "ConvLabBlocks", dependencies: ["ConvLabCore", "ConvLabNotation", "CConvLabSupport"], swiftSettings: numericSettings),
    // The check and benchmark harness over the blocks: random check cases, the three-way check, timings.
    .target(name: "ConvLabChecks", dependencies: ["ConvLabCore", "ConvLabBlocks"], swiftSettings: numericSettings),
    // zlib (module CZlib) comes from ZIPFoundation's system-library target: two CZlib modules cannot coexist.
    .target(name: "ConvLabData", dependencies: ["ConvLabCore", .product(name: "ZIPFoundation", package: "ZIPFoundation")], swiftSettings: numericSettings),
    .target(name: "ConvLabNetworks", dependencies: ["ConvLabCore", "ConvLabNotation", "ConvLabBlocks", "ConvLabChecks", "ConvLabData", "ConvLabDevice"], swiftSettings: numericSettings),
    .target(name: "ConvLabPlot", dependencies: ["ConvLabCore"]),
    .target(name: "ConvLabFigures", dependencies: ["ConvLabCore", "ConvLabNotation", "ConvLabBlocks", "ConvLabChecks", "ConvLabNetworks", "ConvLabPlot"]),
    .target(
      name: "ConvLabExercises",
      dependencies: ["ConvLabCore", "ConvLabNotation", "ConvLabBlocks", "ConvLabPlot", "ConvLabDerive", .product(name: "Crypto", package: "swift-crypto")]
    ),
    // The kernels' source (shared/), owned here: compiled for the CPU so tests check them, and
    // embedded as text for NVRTC, which ConvLabCUDA runs on it.
    .target(name: "CConvLabKernels", exclude: ["shared"]),
    // The device path: blocks as kernels + GEMM on a ComputeEngine (the CPU's HostEngine runs the
    // GPU's kernel source, so the tests cover it without a GPU); ConvLabCUDA adds the GPU engine.
    .target(name: "ConvLabDevice", dependencies: ["ConvLabCore", "ConvLabBlocks", "ConvLabChecks", "CConvLabKernels"], swiftSettings: numericSettings),
    // The GPU: run-time loading of the driver, NVRTC and cuBLAS (dlopen); the kernel text from CConvLabKernels.
    .target(name: "ConvLabCUDA", dependencies: ["ConvLabCore", "ConvLabBlocks", "ConvLabDevice", "CConvLabKernels"]),
    .target(name: "ConvLabDerive", dependencies: ["ConvLabCore", "ConvLabNotation", "ConvLabBlocks", "ConvLabChecks", "ConvLabNetworks"]),
    .executableTarget(
      name: "convlab",
      dependencies: [
        "CConvLabSupport", "ConvLabCore", "ConvLabNotation", "ConvLabBlocks", "ConvLabChecks", "ConvLabData", "ConvLabNetworks", "ConvLabDerive", "ConvLabPlot", "ConvLabFigures", "ConvLabExercises",
        "ConvLabDevice", "ConvLabCUDA",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    .testTarget(name: "ConvLabCoreTests", dependencies: ["ConvLabCore", .product(name: "ZIPFoundation", package: "ZIPFoundation")]),
    .testTarget(name: "ConvLabNotationTests", dependencies: ["ConvLabCore", "ConvLabNotation"]),
    .testTarget(name: "ConvLabBlocksTests", dependencies: ["CConvLabSupport", "ConvLabCore", "ConvLabNotation", "ConvLabBlocks", "ConvLabChecks"]),
    .testTarget(name: "ConvLabNetworksTests", dependencies: ["ConvLabCore", "ConvLabBlocks", "ConvLabChecks", "ConvLabData", "ConvLabNetworks"]),
    .testTarget(name: "ConvLabPlotTests", dependencies: ["ConvLabCore", "ConvLabPlot", "ConvLabFigures"]),
    .testTarget(name: "ConvLabDeriveTests", dependencies: ["ConvLabCore", "ConvLabNotation", "ConvLabBlocks", "ConvLabChecks", "ConvLabDerive", "ConvLabExercises"]),
    .testTarget(name: "ConvLabExercisesTests", dependencies: ["ConvLabCore", "ConvLabNotation", "ConvLabBlocks", "ConvLabExercises"]),
    .testTarget(name: "ConvLabChecksTests", dependencies: ["ConvLabCore", "ConvLabBlocks", "ConvLabChecks"]),
    .testTarget(name: "ConvLabDataTests", dependencies: ["ConvLabCore", "ConvLabData"]),
    .testTarget(name: "ConvLabDeviceTests", dependencies: ["ConvLabCore", "ConvLabBlocks", "ConvLabDevice"]),
    .testTarget(name: "ConvLabFiguresTests", dependencies: ["ConvLabCore", "ConvLabPlot", "ConvLabFigures"]),
    .testTarget(name: "ConvLabCUDATests", dependencies: ["ConvLabCore", "ConvLabNotation", "ConvLabBlocks", "ConvLabChecks", "ConvLabDevice", "ConvLabCUDA", "CConvLabKernels", "ConvLabNetworks"]),
    .testTarget(name: "ConvLabCLITests", dependencies: ["ConvLabCore", "ConvLabBlocks"], exclude: ["__Snapshots__"]),
  ]
)
