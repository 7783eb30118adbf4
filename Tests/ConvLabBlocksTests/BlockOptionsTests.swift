import ConvLabBlocks
import ConvLabChecks
import ConvLabCore
import ConvLabNotation
import Testing

/// Strict block options (issues 17 and 18), true convolution (`flip`), labels of any shape,
/// and the structured literal path (issue 20).
@Suite struct BlockOptionsTests {
  static let optionsOfOtherBlocks: [(String, [String: String], ConvLabError)] = [
    ("pool", ["pool-size": "2", "dilate": "2"], .optionNotApplicable(block: "pool", option: "dilate", accepted: ["method", "pool-size", "pad", "stride", "ceil"])),
    ("pool", ["pool-size": "2", "leak": "0.1"], .optionNotApplicable(block: "pool", option: "leak", accepted: ["method", "pool-size", "pad", "stride", "ceil"])),
    ("relu", ["pad": "1"], .optionNotApplicable(block: "relu", option: "pad", accepted: ["leak"])),
    ("sigmoid", ["epsilon": "0.1"], .optionNotApplicable(block: "sigmoid", option: "epsilon", accepted: [])),
    ("conv", ["method": "avg"], .optionNotApplicable(block: "conv", option: "method", accepted: ["pad", "stride", "dilate", "flip"])),
  ]

  @Test(arguments: 0..<optionsOfOtherBlocks.count)
  func anOptionTheBlockDoesNotReadIsAnError(index: Int) throws {
    let (name, options, expected) = Self.optionsOfOtherBlocks[index]
    #expect(throws: expected) { try BlockOptions(options).block(named: name) }
  }

  /// The library's sentence names settings plainly; a program supplies its own spelling.
  @Test func anOptionErrorIsWordedByWhoeverPrintsIt() {
    let error = ConvLabError.optionNotApplicable(block: "pool", option: "dilate", accepted: ["method", "pool-size"])
    #expect(error.description == "pool does not take dilate; its options are method, pool-size.")
    #expect(error.worded(naming: { "--" + $0.name }) == "pool does not take --dilate; its options are --method, --pool-size.")
  }

  @Test func anInputTheBlockDoesNotReadIsAnError() throws {
    #expect(throws: ConvLabError.inputNotApplicable(block: "pool", input: "w", accepted: [])) {
      try BlockKind.pool.check(options: [String](), inputs: ["w"])
    }
    #expect(throws: Never.self) { try BlockKind.pdist.check(options: ["p"], inputs: ["target"]) }
  }

  static let outOfRange: [(String, String)] = [
    ("pad", "9223372036854775807"), ("stride", "9223372036854775807"), ("dilate", "0"), ("upsample", "2,9223372036854775807"),
    ("crop", "1,2,3,9223372036854775807"), ("pool-size", "2x2x2"), ("num-groups", "0"), ("topk", "9223372036854775807"),
    ("rate", "1"), ("epsilon", "-1"), ("p", "0"), ("param", "5,1,nan,0.75"), ("ceil", "maybe"), ("pad", "1,,2,3"),
  ]

  @Test(arguments: 0..<outOfRange.count)
  func everyNumberIsBoundedBeforeUse(index: Int) throws {
    let (key, value) = Self.outOfRange[index]
    let error = #expect(throws: ConvLabError.self) { try BlockOptions([key: value]) }
    guard case .invalidValue(let setting, let given, _)? = error else {
      Issue.record("\(String(describing: error))")
      return
    }
    #expect(setting == Setting(key) && given == value)
  }

  @Test func givenOptionsFixTheRandomCheckCases() throws {
    var fixed = try BlockOptions(["pad": "2", "stride": "3", "flip": "true"])
    let c = try CheckCase.random("conv", seed: 4, fixed: fixed)
    let block = try #require(c.block as? FlippedConv)
    #expect(block.conv.pad == [2, 2, 2, 2] && block.conv.stride == (3, 3))
    fixed = try BlockOptions(["dilate": "2"])
    let error = #expect(throws: ConvLabError.self) { try CheckCase.random("pool", seed: 1, fixed: fixed) }
    guard case .optionNotApplicable(let block, let option, _)? = error else {
      Issue.record("\(String(describing: error))")
      return
    }
    #expect(block == "pool" && option == "dilate")
  }

  /// True convolution against a brute-force sum written from the definition
  /// y_{ij} = Σ_{a,c} f_{a,c} x_{i+H′−1−a, j+W′−1−c} (MATLAB conv2 'valid'), per channel pair.
  @Test(arguments: [UInt64(1), 2, 3])
  func flippedConvIsATrueConvolution(seed: UInt64) throws {
    var rng = SeededGenerator(seed: seed)
    let x = Tensor<Double>.uniform(Shape(5, 6, 2, 2), using: &rng)
    let f = Tensor<Double>.uniform(Shape(3, 2, 2, 3), using: &rng)
    let y = try FlippedConv().forward(x, Parameters(w: f))
    var expected = Tensor<Double>(shape: Shape(3, 5, 3, 2))
    for n in 0..<2 {
      for k in 0..<3 {
        for i in 0..<3 {
          for j in 0..<5 {
            var s = 0.0
            for d in 0..<2 { for a in 0..<3 { for c in 0..<2 { s += f[a, c, d, k] * x[i + 2 - a, j + 1 - c, d, n] } } }
            expected[i, j, k, n] = s
          }
        }
      }
    }
    // Both are sums of the same 12 products in a different order: Double round-off.
    #expect(relativeError(y, expected) < 1e-13)
  }

  /// The three-way check (literal J k J Jacobians, fast backward, finite differences) on
  /// flipped convolutions with padding, stride, dilation, groups and biases.
  @Test(arguments: [UInt64(1), 2, 3, 4, 5, 6])
  func flippedConvPassesTheThreeWayCheck(seed: UInt64) throws {
    let c = try CheckCase.random("conv", seed: seed, fixed: try BlockOptions(["flip": "true"]))
    let report = try ThreeWayCheck(c.block, x: c.x, c.parameters, configuration: c.configuration, seed: seed)
    #expect(report.passed, "\(c.configuration): literal↔fast \(report.literalVsFast), FD \(report.versusFiniteDifferences)")
  }

  @Test func oneLabelPerImageMayComeInAnyShape() throws {
    var rng = SeededGenerator(seed: 3)
    let x = Tensor<Double>.uniform(Shape(1, 1, 4, 3), using: &rng)
    let asVector = Parameters(labels: Tensor(shape: Shape(3, 1), storage: [2, 4, 1]))  // np.save of a plain vector
    let asMatConvNet = Parameters(labels: Tensor(shape: Shape(1, 1, 1, 3), storage: [2, 4, 1]))
    #expect(try Loss().forward(x, asVector) == Loss().forward(x, asMatConvNet))
    let error = #expect(throws: ConvLabError.self) { try Loss().forward(x, Parameters(labels: Tensor(shape: Shape(2, 1), storage: [1, 2]))) }
    #expect(error?.description.contains("give one label per image (3 elements, any shape)") == true)
  }

  /// The sparse forms of pooling's S(x) and of Xu's subsampling are built by their own loops;
  /// they must equal the dense literal Jacobians entry for entry (both place the same
  /// constants, so exactly), and be stored as non-zeros only.
  @Test(arguments: [UInt64(1), 2, 3, 4, 5, 6, 7, 8])
  func sparseSelectorsEqualTheDenseLiteralJacobians(seed: UInt64) throws {
    for name in ["pool", "subsample"] {
      let c = try CheckCase.random(name, seed: seed)
      let structured = try c.block.explicitJacobian(at: c.x, c.parameters, wrt: .x)
      guard case .sparse(_, _, let entries) = structured else {
        Issue.record("\(name) should keep a sparse Jacobian")
        continue
      }
      let dense = try c.block.jacobian(at: c.x, c.parameters, wrt: .x)
      #expect(structured.matrix == dense, "\(name) \(c.configuration)")
      #expect(entries.count <= dense.count && entries.allSatisfy { $0.value != 0 || name == "subsample" })
    }
  }

  /// The literal path of a LeNet-size sigmoid (28×28×6, two images: a 9408 × 9408 dense
  /// Jacobian, 708 MiB) runs on its diagonal and agrees with the fast path to Double round-off.
  @Test func theLiteralPathOfALargeElementwiseBlockUsesItsDiagonal() throws {
    var rng = SeededGenerator(seed: 1)
    let x = Tensor<Double>.uniform(Shape(28, 28, 6, 2), using: &rng)
    let g = Tensor<Double>.uniform(x.shape, using: &rng)
    let literal = try Sigmoid().gradients(x, Parameters(), g, path: .literal)
    let fast = try Sigmoid().gradients(x, Parameters(), g, path: .fast)
    #expect(relativeError(literal.dzdx, fast.dzdx) < 1e-15)
    guard case .diagonal(let d) = try Sigmoid().explicitJacobian(at: x, Parameters(), wrt: .x) else {
      Issue.record("an element-wise block's Jacobian should be diagonal")
      return
    }
    #expect(d.count == x.count)
  }
}
