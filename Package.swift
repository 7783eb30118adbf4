// swift-tools-version:6.0
import PackageDescription

// Dependencies point one way (CONVENTIONS.md): CBLAS → Core → Notation → Blocks → (Data) → Networks → Derive → CLI; Plot needs only Core.

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
    .target(name: "ConvLabBlocks", dependencies: ["ConvLabCore", "ConvLabNotation", "CBLAS", "CConvLabSupport"], swiftSettings: numericSettings),
    // zlib (module CZlib) comes from ZIPFoundation's system-library target: two CZlib modules cannot coexist.
    .target(name: "ConvLabData", dependencies: ["ConvLabCore", .product(name: "ZIPFoundation", package: "ZIPFoundation")], swiftSettings: numericSettings),
    .target(name: "ConvLabNetworks", dependencies: ["ConvLabCore", "ConvLabNotation", "ConvLabBlocks", "ConvLabData", "ConvLabDevice"], swiftSettings: numericSettings),
    .target(name: "ConvLabPlot", dependencies: ["ConvLabCore"]),
    .target(name: "ConvLabFigures", dependencies: ["ConvLabCore", "ConvLabNotation", "ConvLabBlocks", "ConvLabData", "ConvLabNetworks", "ConvLabPlot"]),
    .target(
      name: "ConvLabExercises",
      dependencies: ["ConvLabCore", "ConvLabNotation", "ConvLabBlocks", "ConvLabPlot", .product(name: "Crypto", package: "swift-crypto")]
    ),
    // The CUDA path: run-time loading of the driver, NVRTC and cuBLAS (dlopen), kernel sources as
    // resources; CConvLabKernels compiles the kernels' bodies for the CPU so tests check them.
    .target(name: "CConvLabKernels"),
    // The device path: blocks as kernels + GEMM on a ComputeEngine (the CPU's HostEngine runs the
    // GPU's kernel source, so the tests cover it without a GPU); ConvLabCUDA adds the GPU engine.
    .target(name: "ConvLabDevice", dependencies: ["ConvLabCore", "ConvLabBlocks", "CConvLabKernels"], swiftSettings: numericSettings),
    .target(name: "ConvLabCUDA", dependencies: ["ConvLabCore", "ConvLabBlocks", "ConvLabDevice"], resources: [.copy("Kernels")]),
    .target(name: "ConvLabDerive", dependencies: ["ConvLabCore", "ConvLabNotation", "ConvLabBlocks", "ConvLabNetworks"]),
    .executableTarget(
      name: "convlab",
      dependencies: [
        "CConvLabSupport", "ConvLabCore", "ConvLabNotation", "ConvLabBlocks", "ConvLabData", "ConvLabNetworks", "ConvLabDerive", "ConvLabPlot", "ConvLabFigures", "ConvLabExercises", "ConvLabDevice", "ConvLabCUDA",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    .testTarget(name: "ConvLabCoreTests", dependencies: ["ConvLabCore", .product(name: "ZIPFoundation", package: "ZIPFoundation")]),
    .testTarget(name: "ConvLabNotationTests", dependencies: ["ConvLabCore", "ConvLabNotation"]),
    .testTarget(name: "ConvLabBlocksTests", dependencies: ["CConvLabSupport", "ConvLabCore", "ConvLabNotation", "ConvLabBlocks"]),
    .testTarget(name: "ConvLabNetworksTests", dependencies: ["ConvLabCore", "ConvLabBlocks", "ConvLabData", "ConvLabNetworks"]),
    .testTarget(name: "ConvLabPlotTests", dependencies: ["ConvLabCore", "ConvLabPlot", "ConvLabFigures", "ConvLabNetworks"]),
    .testTarget(name: "ConvLabDeriveTests", dependencies: ["ConvLabCore", "ConvLabDerive"]),
    .testTarget(name: "ConvLabExercisesTests", dependencies: ["ConvLabCore", "ConvLabBlocks", "ConvLabExercises"]),
    .testTarget(name: "ConvLabCUDATests", dependencies: ["ConvLabCore", "ConvLabNotation", "ConvLabBlocks", "ConvLabDevice", "ConvLabCUDA", "CConvLabKernels", "ConvLabNetworks"]),
    .testTarget(name: "ConvLabCLITests", dependencies: ["ConvLabCore"], exclude: ["__Snapshots__"]),
  ]
)
