/// Unicode subscript digits, for labels such as x₁₂₃ (the papers' 1-based indices).
public func subscriptDigits(_ value: Int) -> String {
  let digits: [Character] = ["₀", "₁", "₂", "₃", "₄", "₅", "₆", "₇", "₈", "₉"]
  let text = String(abs(value))
  return (value < 0 ? "₋" : "") + String(text.map { digits[$0.wholeNumberValue ?? 0] })
}

/// A label for a 1-based multi-index, e.g. `label("x", [1, 2, 3])` = `x₁₂₃`.
///
/// When any index has two or more digits the indices are separated by commas (x₁₀,₂) so the
/// label stays unambiguous.
public func paperLabel(_ name: String, _ indices: [Int]) -> String {
  let separator = indices.contains(where: { $0 >= 10 }) ? "," : ""
  return name + indices.map(subscriptDigits).joined(separator: separator)
}
