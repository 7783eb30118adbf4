import CConvLabSupport
import ConvLabCore
import ConvLabNotation

/// The fast im2row/row2im kernels: the same index map t(p, q) as the literal `Im2Row`
/// (MatConvNet §6.1), walked once with precomputed in-bounds ranges instead of testing every
/// tap (Milisavljevic (1)–(2): "serialization" of patches so that convolution is one GEMM).
///
/// Buffers are column-major (H″W″) × (H′W′D): column q holds tap (i′, j′, d) of every patch.
struct PatchMatrix {
  let geometry: FilterGeometry
  let h: Int, w: Int, d: Int
  let outH: Int, outW: Int

  init(geometry: FilterGeometry, h: Int, w: Int, d: Int) throws {
    self.geometry = geometry
    self.h = h
    self.w = w
    self.d = d
    (outH, outW) = try geometry.outputSize(h: h, w: w)
  }

  var rows: Int { outH * outW }
  var cols: Int { geometry.rows.size * geometry.cols.size * d }

  /// Output indices o (0-based) whose tap t reads inside [0, length): S·o + D·t − P⁻ ∈ [0, length).
  @inline(__always)
  static func validOutputs(_ axis: FilterAxis, tap: Int, length: Int, outputs: Int) -> Range<Int> {
    let offset = axis.dilation * tap - axis.padBefore
    // S·o + offset ≥ 0  ⇔  o ≥ ⌈−offset / S⌉ ;  S·o + offset ≤ length − 1  ⇔  o ≤ ⌊(length − 1 − offset)/S⌋.
    let lo = offset >= 0 ? 0 : (-offset + axis.stride - 1) / axis.stride
    let hiNumerator = length - 1 - offset
    let hi = hiNumerator < 0 ? -1 : min(outputs - 1, hiNumerator / axis.stride)
    return lo <= hi ? lo..<(hi + 1) : 0..<0
  }

  /// Visits every spatial tap t = i′ + H′j′ of φ's index map once: its in-bounds output columns
  /// and rows, and the input offset (within one channel) that output (row 0, column 0) reads —
  /// row r of column j″ reads offset + S_w·j″·h + S_h·r. Channel c's tap t + H′W′c reads the
  /// same offsets in channel c, which is why one plan serves every channel.
  @inline(__always)
  func forEachSpatialTap(_ body: (_ cols: Range<Int>, _ rows: Range<Int>, _ input: Int) -> Void) {
    for j1 in 0..<geometry.cols.size {
      let cols = Self.validOutputs(geometry.cols, tap: j1, length: w, outputs: outW)
      let jOffset = geometry.cols.dilation * j1 - geometry.cols.padBefore
      for i1 in 0..<geometry.rows.size {
        let rows = Self.validOutputs(geometry.rows, tap: i1, length: h, outputs: outH)
        body(cols, rows, jOffset * h + geometry.rows.dilation * i1 - geometry.rows.padBefore)
      }
    }
  }

  /// Whether a tap's runs for consecutive output columns sit back to back in the input as they
  /// do in the buffer (stride 1 and an output as high as the input: "same" padding, as in every
  /// 3×3 pad-1 layer). Then all of a tap's columns are one contiguous copy, masked where a row is
  /// padding for its column.
  var columnsAreContiguous: Bool { geometry.rows.stride == 1 && geometry.cols.stride == 1 && outH == h }

  /// How im2row fills φ's columns (patches p = i″ + H″j″): for each spatial tap (i′, j′), copies
  /// from the input and zero fills, in order. They are the same for every channel and every image
  /// (only the input's start moves), so they are worked out once per call and then applied
  /// H′W′·D times per image as straight loops. The blocked forward pass applies them to a window
  /// of patch rows at a time, clipping each fill to the window. A fill (`convlab_im2row_fill`,
  /// shared with the C loops of the Float32 path) sets buffer rows target ..< target + count to
  /// zero, or to input source + step·k, or (masked) to that input where `masks[mask + k]` is set
  /// and to zero where it is not.
  struct Plan {
    typealias Fill = convlab_im2row_fill
    /// Fills of spatial tap t = i′ + H′j′: fills[starts[t] ..< starts[t + 1]].
    let starts: [Int]
    let fills: [Fill]
    /// All ones (−1) where a masked copy keeps the input, 0 where it writes zero.
    let masks: [Int32]
    var spatialTaps: Int { starts.count - 1 }
  }

  func plan() -> Plan {
    let outH = self.outH
    var fills: [Plan.Fill] = []
    var starts = [0]
    var masks: [Int32] = []
    func add(_ range: Range<Int>, from source: Int? = nil, mask: [Int32]? = nil) {
      guard !range.isEmpty else { return }
      fills.append(
        Plan.Fill(
          target: range.lowerBound, source: source ?? 0, count: range.count,
          zero: source == nil ? 1 : 0, mask: mask == nil ? -1 : masks.count))
      masks += mask ?? []
    }
    forEachSpatialTap { cols, rows, input in
      defer { starts.append(fills.count) }
      if columnsAreContiguous {
        guard !rows.isEmpty, !cols.isEmpty else {
          add(0..<self.rows)
          return
        }
        // Patch p reads input + p for every p from the first in-bounds column's first in-bounds
        // row to the last one's last (outH = h, stride 1): one copy, zeros before and after it;
        // inside the copy, a mask zeroes the rows that are padding for their column (they would
        // read the neighbouring column's edge).
        let copied = (cols.lowerBound * outH + rows.lowerBound)..<((cols.upperBound - 1) * outH + rows.upperBound)
        add(0..<copied.lowerBound)
        add(copied, from: input + copied.lowerBound, mask: rows.count == outH ? nil : copied.map { rows.contains($0 % outH) ? -1 : 0 })
        add(copied.upperBound..<self.rows)
        return
      }
      // One run per output column j″: patches j″·outH ..< (j″+1)·outH, in-bounds rows copied
      // (stepping by the vertical stride in the input), the rest zero.
      for j2 in 0..<outW {
        let first = j2 * outH
        let inBounds = cols.contains(j2) ? rows : 0..<0
        add(first..<(first + inBounds.lowerBound))
        add(
          (first + inBounds.lowerBound)..<(first + inBounds.upperBound),
          from: input + geometry.cols.stride * j2 * h + geometry.rows.stride * inBounds.lowerBound)
        add((first + inBounds.upperBound)..<(first + outH))
      }
    }
    return Plan(starts: starts, fills: fills, masks: masks)
  }

  /// buffer ← φ(x) for `d` channels starting at `x` (zeros where taps fall in the padding), as
  /// rows 0..<rows of a matrix with leading dimension `ld` (ld ≥ rows lets several images share
  /// one matrix). With stride 1 a copy is a straight loop the compiler vectorizes; Float32 runs
  /// the same loops in C, compiled for AVX2 where the CPU has it.
  func im2row<S: Scalar>(_ x: UnsafePointer<S>, plan: Plan, into buffer: UnsafeMutablePointer<S>, ld: Int) {
    if let single = S.singlePrecision {
      im2row(single.pointer(x), plan: plan, rows: 0..<rows, into: single.mutablePointer(buffer), ld: ld)
      return
    }
    let spatial = plan.spatialTaps
    let (plane, step) = (h * w, geometry.rows.stride)
    plan.fills.withUnsafeBufferPointer { fills in
      for c in 0..<d {
        let channel = x + c * plane
        for t in 0..<spatial {
          let column = buffer + (t + spatial * c) * ld
          for fill in fills[plan.starts[t]..<plan.starts[t + 1]] {
            let out = column + fill.target
            let source = channel + fill.source
            if fill.zero != 0 {
              for k in 0..<fill.count { out[k] = 0 }
            } else if fill.mask >= 0 {
              for k in 0..<fill.count { out[k] = plan.masks[fill.mask + k] != 0 ? source[k] : 0 }
            } else if step == 1 {
              for k in 0..<fill.count { out[k] = source[k] }
            } else {
              for k in 0..<fill.count { out[k] = source[step * k] }
            }
          }
        }
      }
    }
  }

  /// Rows `window` of φ(x) only, as rows 0..<window.count of `buffer`: each fill clipped to the
  /// window (the blocked forward pass's block of patch rows). Float32, in C.
  func im2row(_ x: UnsafePointer<Float>, plan: Plan, rows window: Range<Int>, into buffer: UnsafeMutablePointer<Float>, ld: Int) {
    convlab_im2row_f32(
      x, h * w, d, plan.spatialTaps, plan.starts, plan.fills, plan.masks, geometry.rows.stride,
      window.lowerBound, window.count, buffer, ld, 0)
  }

  /// dx += φ*(M) for rows `window` of φ only, stored as rows 0..<window.count of `m`: the adjoint
  /// of the windowed `im2row` above (the blocked backward pass's block of patch rows). Float32, in C.
  func row2imAdd(_ m: UnsafePointer<Float>, plan: Plan, rows window: Range<Int>, ld: Int, into dx: UnsafeMutablePointer<Float>) {
    convlab_row2im_add_rows_f32(
      m, ld, h * w, d, plan.spatialTaps, plan.starts, plan.fills, plan.masks, geometry.rows.stride,
      window.lowerBound, window.count, dx, 0)
  }

  /// dx += φ*(M) for M with leading dimension `ld`: each patch entry added back
  /// to the pixel it came from — the adjoint of `im2row` with the same plan, so every copy becomes
  /// an accumulation and zero fills (padding) are skipped.
  func row2imAdd<S: Scalar>(_ m: UnsafePointer<S>, plan: Plan, ld: Int, into dx: UnsafeMutablePointer<S>) {
    let spatial = plan.spatialTaps
    let (plane, step) = (h * w, geometry.rows.stride)
    if let single = S.singlePrecision {
      convlab_row2im_add_f32(single.pointer(m), ld, plane, d, spatial, plan.starts, plan.fills, plan.masks, step, single.mutablePointer(dx), 0)
      return
    }
    plan.fills.withUnsafeBufferPointer { fills in
      for c in 0..<d {
        let channel = dx + c * plane
        for t in 0..<spatial {
          let column = m + (t + spatial * c) * ld
          for fill in fills[plan.starts[t]..<plan.starts[t + 1]] where fill.zero == 0 {
            let run = column + fill.target
            let target = channel + fill.source
            if fill.mask >= 0 {
              for k in 0..<fill.count where plan.masks[fill.mask + k] != 0 { target[k] += run[k] }
            } else {
              for k in 0..<fill.count { target[step * k] += run[k] }
            }
          }
        }
      }
    }
  }
}
