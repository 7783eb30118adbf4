import ConvLabCore
import ConvLabNotation
import Testing

/// Geometry formulas checked by brute force: evaluate a 1-D stack of filters numerically,
/// perturb one input sample at a time, and record which outputs change.
@Suite struct GeometryTests {
  /// One 1-D filter application with positive weights (so no change can cancel out), zero
  /// padding, stride and dilation — written from MatConvNet §4.1's sum, not from FilterAxis.
  static func filter1D(_ x: [Double], size: Int, stride: Int, pad: (Int, Int), dilation: Int) -> [Double] {
    let padded = Array(repeating: 0.0, count: pad.0) + x + Array(repeating: 0.0, count: pad.1)
    var y: [Double] = []
    var start = 0
    while start + dilation * (size - 1) < padded.count {
      var s = 0.0
      for t in 0..<size { s += Double(t + 1) * padded[start + dilation * t] }
      y.append(s)
      start += stride
    }
    return y
  }

  static func randomAxis(_ rng: inout SeededGenerator) -> FilterAxis {
    let size = Int.random(in: 1...5, using: &rng)
    return FilterAxis(
      size: size, stride: Int.random(in: 1...3, using: &rng), padBefore: Int.random(in: 0...2, using: &rng),
      padAfter: Int.random(in: 0...2, using: &rng), dilation: Int.random(in: 1...3, using: &rng))
  }

  @Test(arguments: 1...300)
  func sizesAndReceptiveFieldsMatchPerturbation(seed: Int) throws {
    var rng = SeededGenerator(seed: UInt64(seed))
    let inputLength = Int.random(in: 20...60, using: &rng)
    var axes: [FilterAxis] = []
    var length = inputLength
    var field = ReceptiveField.identity
    for _ in 0..<Int.random(in: 1...4, using: &rng) {
      let axis = Self.randomAxis(&rng)
      guard let out = try? axis.outputLength(length) else { break }
      axes.append(axis)
      length = out
      field = field.then(.filter(axis))
    }
    guard !axes.isEmpty else { return }
    func network(_ x: [Double]) -> [Double] {
      axes.reduce(x) { Self.filter1D($0, size: $1.size, stride: $1.stride, pad: ($1.padBefore, $1.padAfter), dilation: $1.dilation) }
    }
    let base = [Double](repeating: 1, count: inputLength)
    let y0 = network(base)
    #expect(y0.count == length, "MatConvNet (5.3) output length for \(axes)")
    var dependencies = [[Int]](repeating: [], count: y0.count)
    for i in 0..<inputLength {
      var x = base
      x[i] += 1
      for (k, v) in network(x).enumerated() where v != y0[k] { dependencies[k].append(i + 1) }
    }
    for (k, deps) in dependencies.enumerated() {
      let range = field.inputRange(ofOutput: k + 1)
      // Every dependency lies in the receptive field (MatConvNet (5.1), composed with §5.5)...
      #expect(deps.allSatisfy { range.contains(Double($0)) }, "output \(k + 1) of \(axes): \(deps) outside \(range)")
      // ...and when the field lies inside the input, its ends are attained.
      if range.lowerBound >= 1, range.upperBound <= Double(inputLength) {
        #expect(
          deps.first.map(Double.init) == range.lowerBound && deps.last.map(Double.init) == range.upperBound,
          "output \(k + 1) of \(axes): \(deps) vs \(range)")
      }
    }
  }

  @Test(arguments: 1...50)
  func transposingTwiceIsTheIdentityAndConvTransposeIsTheTransposedFilter(seed: Int) {
    var rng = SeededGenerator(seed: 1000 + UInt64(seed))
    let size = Int.random(in: 1...6, using: &rng)
    let stride = Int.random(in: 1...4, using: &rng)
    let pad = Int.random(in: 0...3, using: &rng)
    let f = ReceptiveField.filter(FilterAxis(size: size, stride: stride, padBefore: pad))
    let back = f.transposed.transposed
    #expect(abs(back.alpha - f.alpha) < 1e-12 && abs(back.beta - f.beta) < 1e-12 && abs(back.delta - f.delta) < 1e-12)
    // §5.3 (derived directly) agrees with §5.4 applied to the convolution (crop = padding).
    let t = ReceptiveField.convTranspose(size: size, upsample: stride, cropBefore: pad)
    #expect(abs(t.alpha - f.transposed.alpha) < 1e-12 && abs(t.beta - f.transposed.beta) < 1e-12 && abs(t.delta - f.transposed.delta) < 1e-12)
  }

  @Test(arguments: 1...100)
  func convTransposeSizeInvertsConvolution(seed: Int) throws {
    var rng = SeededGenerator(seed: 2000 + UInt64(seed))
    let axis = FilterAxis(
      size: Int.random(in: 1...5, using: &rng), stride: Int.random(in: 1...3, using: &rng),
      padBefore: Int.random(in: 0...2, using: &rng), padAfter: Int.random(in: 0...2, using: &rng))
    let h = Int.random(in: 1...10, using: &rng)
    guard let out = try? ConvTransposeAxis(rows: axis).outputLength(h) else { return }
    // §5.3: convolving the transpose's output with the same parameters gives back H.
    #expect(try axis.outputLength(out) == h)
  }

  @Test(arguments: 1...200)
  func caffePoolingWindowsCoverTheInputAndNoneStartsInThePadding(seed: Int) throws {
    var rng = SeededGenerator(seed: 3000 + UInt64(seed))
    let k = Int.random(in: 1...5, using: &rng)
    let s = Int.random(in: 1...4, using: &rng)
    let p = Int.random(in: 0..<k, using: &rng)
    let h = Int.random(in: max(1, k - 2 * p)...30, using: &rng)
    let out = try CaffePooling.outputLength(h, FilterAxis(size: k, stride: s, padBefore: p, padAfter: p))
    // Brute force, 0-based on the unpadded input: window o covers [o·s − p, o·s − p + k − 1].
    // Caffe keeps every window that starts inside input + top padding and adds one if the last
    // pixel is not yet covered (the ceil), as long as it does not start in the bottom padding.
    var count = 0
    while true {
      let start = count * s - p
      if count > 0 && (start >= h) { break }
      let previousEnd = count == 0 ? -1 : (count - 1) * s - p + k - 1
      if count > 0 && previousEnd >= h - 1 + p { break }
      count += 1
    }
    #expect(out == count, "h \(h), k \(k), s \(s), p \(p)")
    // MatConvNet §5.2.1's equivalent bottom padding reproduces the count with the floor formula.
    let padAfter = CaffePooling.matConvNetPadAfter(FilterAxis(size: k, stride: s, padBefore: p))
    #expect(try FilterAxis(size: k, stride: s, padBefore: p, padAfter: padAfter).outputLength(h) == out, "h \(h), k \(k), s \(s), p \(p), P⁺ \(padAfter)")
  }

  @Test func leNetStackHasTheKnownSizes() throws {
    let trace = try LayerStack(parsing: "conv 5x5; pool 2x2 stride 2; conv 5x5; pool 2x2 stride 2; conv 5x5").trace(h: 32, w: 32)
    #expect(trace.map(\.h) == [28, 14, 10, 5, 1])
    #expect(trace.last?.rows.delta == 32)
  }

  @Test func badLayerDescriptionsAreOneSentence() {
    #expect(throws: ConvLabError.self) { try LayerStack(parsing: "conv 5x5; frobnicate") }
    #expect(throws: ConvLabError.self) { try LayerStack(parsing: "conv 5x5 stride") }
    #expect(throws: ConvLabError.self) { try LayerStack(parsing: "conv 7x7").trace(h: 4, w: 4) }
  }
}

@Suite struct OverlayTests {
  /// 1-based input samples that 1-based output i″ of a filter reads (taps in padding included).
  static func taps(_ axis: FilterAxis, output i: Int) -> [Int] {
    (0..<axis.size).map { axis.inputIndex(output: i - 1, tap: $0) + 1 }
  }

  @Test(arguments: 1...100)
  func overlayEnclosesBothFieldsTightly(seed: Int) throws {
    var rng = SeededGenerator(seed: 5000 + UInt64(seed))
    let stride = Int.random(in: 1...3, using: &rng)
    let f = FilterAxis(size: Int.random(in: 1...5, using: &rng), stride: stride, padBefore: Int.random(in: 0...2, using: &rng))
    let g = FilterAxis(size: Int.random(in: 1...5, using: &rng), stride: stride, padBefore: Int.random(in: 0...2, using: &rng))
    let overlay = try ReceptiveField.filter(f).overlaid(with: .filter(g))
    for i in 1...5 {
      let union = Self.taps(f, output: i) + Self.taps(g, output: i)
      let range = overlay.inputRange(ofOutput: i)
      // MatConvNet §5.6: the overlay is the smallest window containing both receptive fields.
      #expect(Double(union.min() ?? 0) == range.lowerBound && Double(union.max() ?? 0) == range.upperBound, "\(f) \(g) at \(i)")
    }
    #expect(throws: ConvLabError.self) { try ReceptiveField.filter(f).overlaid(with: .filter(FilterAxis(size: 1, stride: stride + 1))) }
  }
}
