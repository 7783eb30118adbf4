import Foundation
import Testing

/// The package's layering stays what Package.swift and Docs/architecture.md say: every library
/// target's dependencies are exactly the modules its sources import, and a target imports only
/// targets of lower layers in the architecture diagram. Read from the files themselves (no
/// build), so a new import or edge fails here with the target and the module named.
@Suite struct LayerTests {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  /// Modules of the toolchain, which need no declared dependency.
  static let toolchain: Set<String> = ["Foundation", "FoundationEssentials", "Dispatch", "Glibc", "Musl", "Darwin", "Synchronization", "Testing", "XCTest", "_Concurrency"]

  /// Modules that packages' products bring: product name → the modules importable through it
  /// (ZIPFoundation's system-library target CZlib comes with it).
  static let productModules: [String: Set<String>] = [
    "ZIPFoundation": ["ZIPFoundation", "CZlib"], "RealModule": ["RealModule"], "Crypto": ["Crypto"], "ArgumentParser": ["ArgumentParser"],
  ]

  struct Target {
    var name: String
    var kind: String
    /// Local targets by name; products by product name.
    var targets: Set<String>
    var products: Set<String>
  }

  /// The targets of Package.swift with their dependencies: each `.target(`, `.executableTarget(`,
  /// `.systemLibrary(` or `.testTarget(` call, its `name:`, and the strings of its `dependencies:`
  /// list (a `.product(name: P, package: …)` entry counts as product P).
  static func manifest() throws -> [String: Target] {
    let text = try String(contentsOf: root.appendingPathComponent("Package.swift"), encoding: .utf8)
    let chars = Array(text)
    var result: [String: Target] = [:]
    var search = text.startIndex
    let kinds = ["target", "executableTarget", "systemLibrary", "testTarget"]
    while let start = kinds.compactMap({ text.range(of: ".\($0)(", range: search..<text.endIndex) }).min(by: { $0.lowerBound < $1.lowerBound }) {
      let kind = String(text[text.index(after: start.lowerBound)..<text.index(before: start.upperBound)])
      // The call's extent: up to its matching parenthesis.
      var depth = 1
      var k = text.distance(from: text.startIndex, to: start.upperBound)
      while depth > 0, k < chars.count {
        if chars[k] == "(" { depth += 1 } else if chars[k] == ")" { depth -= 1 }
        k += 1
      }
      let call = String(chars[text.distance(from: text.startIndex, to: start.upperBound)..<k])
      search = text.index(text.startIndex, offsetBy: k)
      guard let name = call.firstMatch(of: /^\s*name:\s*"([^"]+)"/)?.1 else { continue }
      var target = Target(name: String(name), kind: kind, targets: [], products: [])
      if let list = call.firstMatch(of: /dependencies:\s*\[((?:[^\[\]]|\[[^\]]*\])*)\]/)?.1 {
        var rest = String(list)
        for product in rest.matches(of: /\.product\(name:\s*"([^"]+)",\s*package:\s*"[^"]+"\)/) { target.products.insert(String(product.1)) }
        rest.replace(/\.product\([^)]*\)/, with: "")
        for dependency in rest.matches(of: /"([^"]+)"/) { target.targets.insert(String(dependency.1)) }
      }
      result[target.name] = target
    }
    return result
  }

  /// The modules `import`ed by the Swift files under Sources/NAME.
  static func imports(of name: String) throws -> Set<String> {
    let folder = root.appendingPathComponent("Sources/\(name)")
    var modules: Set<String> = []
    guard let files = FileManager.default.enumerator(atPath: folder.path) else { return [] }
    for case let file as String in files where file.hasSuffix(".swift") {
      let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
      // Lines inside multi-line string literals (source text the exercises write) are not imports.
      var inLiteral = false
      for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
        let quotes = line.ranges(of: "\"\"\"").count
        defer { if quotes % 2 == 1 { inLiteral.toggle() } }
        if !inLiteral, let m = line.firstMatch(of: /^\s*(?:@[A-Za-z_]+(?:\([^)]*\))?\s+)*import\s+(?:(?:struct|class|enum|protocol|func|var|let|typealias)\s+)?([A-Za-z_][A-Za-z0-9_]*)/) {
          modules.insert(String(m.1))
        }
      }
    }
    return modules
  }

  /// The layer diagram of Docs/architecture.md: the fenced block after `<!-- layers -->`,
  /// one line per layer, `N  Target  Target …`, highest first.
  static func layers() throws -> [String: Int] {
    let text = try String(contentsOf: root.appendingPathComponent("Docs/architecture.md"), encoding: .utf8)
    guard let marker = text.range(of: "<!-- layers -->"), let open = text.range(of: "```", range: marker.upperBound..<text.endIndex),
      let close = text.range(of: "```", range: open.upperBound..<text.endIndex)
    else { return [:] }
    var layer: [String: Int] = [:]
    for line in text[open.upperBound..<close.lowerBound].split(separator: "\n") {
      let words = line.split(separator: " ")
      guard let first = words.first, let n = Int(first) else { continue }
      for word in words.dropFirst() where word.hasPrefix("ConvLab") || word.hasPrefix("CConvLab") || word == "CBLAS" || word == "convlab" {
        layer[String(word)] = n
      }
    }
    return layer
  }

  static func libraryTargets() throws -> [Target] {
    try manifest().values.filter { $0.kind != "testTarget" }.sorted { $0.name < $1.name }
  }

  @Test func theManifestAndTheSourcesAreRead() throws {
    let targets = try Self.libraryTargets().map(\.name)
    // Sanity: the parser sees the targets (a parser that saw none would pass every check below).
    #expect(targets.contains("ConvLabCore") && targets.contains("convlab") && targets.contains("CBLAS") && targets.count >= 16)
    #expect(try Self.imports(of: "ConvLabBlocks").contains("ConvLabCore"))
  }

  /// (a) Every imported module is a declared dependency (or the toolchain's), so no target leans
  /// on a module it reaches only through another target.
  @Test func everyImportIsADeclaredDependency() throws {
    for target in try Self.libraryTargets() where target.kind != "systemLibrary" {
      let declared = target.targets.union(target.products.flatMap { Self.productModules[$0] ?? [$0] })
      let undeclared = try Self.imports(of: target.name).subtracting(Self.toolchain).subtracting(declared).subtracting([target.name])
      #expect(undeclared.isEmpty, "\(target.name) imports \(undeclared.sorted()) without declaring them in Package.swift")
    }
  }

  /// (b) Every declared dependency is imported somewhere in the target (C targets, which have
  /// no Swift imports, declare none).
  @Test func everyDeclaredDependencyIsImported() throws {
    for target in try Self.libraryTargets() where target.kind != "systemLibrary" {
      let imported = try Self.imports(of: target.name)
      let unused = target.targets.subtracting(imported)
      let unusedProducts = target.products.filter { Self.productModules[$0, default: [$0]].isDisjoint(with: imported) }
      #expect(unused.isEmpty && unusedProducts.isEmpty, "\(target.name) declares \((unused.sorted() + unusedProducts.sorted())) but imports none of them")
    }
  }

  /// (c) The diagram names every target once, and every dependency points to a lower layer.
  @Test func dependenciesPointDownTheLayers() throws {
    let layer = try Self.layers()
    let targets = try Self.libraryTargets()
    #expect(Set(layer.keys) == Set(targets.map(\.name)), "Docs/architecture.md's layer diagram and Package.swift's targets differ")
    for target in targets {
      guard let own = layer[target.name] else { continue }
      for dependency in target.targets {
        guard let theirs = layer[dependency] else { continue }
        #expect(theirs < own, "\(target.name) (layer \(own)) depends on \(dependency) (layer \(theirs)), which is not below it")
      }
    }
  }
}
