// swift-tools-version:6.0
import Foundation
import PackageDescription

// libFuzzer targets for every parser of outside input (issue 17, item 7). Built by `make fuzz`
// with `-sanitize=fuzzer,address` into its own scratch folder; never part of the main build.
// The main package is a path dependency, whose identity is its folder's name.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

let package = Package(
  name: "ConvLabFuzz",
  dependencies: [.package(path: "..")],
  targets: [
    .executableTarget(
      name: "convlab-fuzz",
      dependencies: ["ConvLabCore", "ConvLabNotation", "ConvLabBlocks", "ConvLabData", "ConvLabNetworks", "ConvLabExercises"].map {
        .product(name: $0, package: root)
      },
      // No top-level code: libFuzzer's driver is the program, started from `convlab_fuzz_main`.
      swiftSettings: [.unsafeFlags(["-parse-as-library"])]
    )
  ]
)
