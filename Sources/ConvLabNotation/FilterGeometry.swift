import ConvLabCore

/// One spatial axis of a sliding-window operator (filter or pooling window): its size H′,
/// stride S, paddings P⁻ and P⁺, and dilation (MatConvNet §4.1 and ch. 5).
public struct FilterAxis: Hashable, Sendable, CustomStringConvertible {
  public var size: Int
  public var stride: Int
  public var padBefore: Int
  public var padAfter: Int
  public var dilation: Int

  public init(size: Int, stride: Int = 1, padBefore: Int = 0, padAfter: Int = 0, dilation: Int = 1) {
    self.size = size
    self.stride = stride
    self.padBefore = padBefore
    self.padAfter = padAfter
    self.dilation = dilation
  }

  /// The span the dilated window covers: D(H′ − 1) + 1.
  public var extent: Int { dilation * (size - 1) + 1 }

  /// Output length H″ = 1 + ⌊(H − H′ₐ + P⁻ + P⁺) / S⌋ (MatConvNet (5.3), with the dilated
  /// extent H′ₐ in place of H′). Throws when the padded input is shorter than the window.
  public func outputLength(_ input: Int, what: String = "filter") throws -> Int {
    guard size >= 1, stride >= 1, dilation >= 1, padBefore >= 0, padAfter >= 0 else {
      throw ConvLabError("the \(what) needs size, stride and dilation ≥ 1 and padding ≥ 0, got size \(size), stride \(stride), dilation \(dilation), padding \(padBefore),\(padAfter).")
    }
    let padded = input + padBefore + padAfter
    guard padded >= extent else {
      throw ConvLabError("the \(what) spans \(extent) samples but the padded input has only \(padded) (\(input) + padding \(padBefore)+\(padAfter)); MatConvNet requires H + P⁻ + P⁺ ≥ H′.")
    }
    return 1 + (padded - extent) / stride
  }

  /// The 0-based input index read by 0-based output i″ and 0-based tap i′:
  /// i = S·i″ + D·i′ − P⁻ (MatConvNet §4.1, 1-based: S(i″−1) + i′ − P⁻, with dilation).
  @inlinable
  public func inputIndex(output i: Int, tap t: Int) -> Int { stride * i + dilation * t - padBefore }

  public var description: String {
    var parts = ["\(size)"]
    if stride != 1 { parts.append("stride \(stride)") }
    if padBefore != 0 || padAfter != 0 { parts.append("pad \(padBefore),\(padAfter)") }
    if dilation != 1 { parts.append("dilate \(dilation)") }
    return parts.joined(separator: " ")
  }
}

/// A 2-D window: the vertical (rows, H) and horizontal (columns, W) axes.
public struct FilterGeometry: Hashable, Sendable {
  public var rows: FilterAxis
  public var cols: FilterAxis

  public init(rows: FilterAxis, cols: FilterAxis) {
    self.rows = rows
    self.cols = cols
  }

  /// A window of size kh × kw with MatConvNet's 4-sided padding [top, bottom, left, right].
  public init(kh: Int, kw: Int, stride: (Int, Int) = (1, 1), pad: [Int] = [0, 0, 0, 0], dilation: (Int, Int) = (1, 1)) {
    precondition(pad.count == 4, "padding is [top, bottom, left, right]")
    rows = FilterAxis(size: kh, stride: stride.0, padBefore: pad[0], padAfter: pad[1], dilation: dilation.0)
    cols = FilterAxis(size: kw, stride: stride.1, padBefore: pad[2], padAfter: pad[3], dilation: dilation.1)
  }

  /// H″ × W″ for an H × W input (MatConvNet (5.3) on each axis).
  public func outputSize(h: Int, w: Int, what: String = "filter") throws -> (h: Int, w: Int) {
    (try rows.outputLength(h, what: what), try cols.outputLength(w, what: what))
  }

  /// Any padding at all.
  public var isPadded: Bool { rows.padBefore + rows.padAfter + cols.padBefore + cols.padAfter > 0 }
}
