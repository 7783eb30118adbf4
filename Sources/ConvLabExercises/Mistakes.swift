/// The catalogue of mistakes a diagnosis can name: id, what the student probably did (said
/// without giving the answer away), and where the right form is.
public struct Mistake: Sendable {
  public let id: String
  public let feedback: String
  public let reference: String
}

public enum Mistakes {
  /// Every id, in the order the issue lists them, then ConvLab's additions.
  public static let all: [Mistake] = [
    Mistake(
      id: "missing-flip", feedback: "The kernel's orientation is off: this backward pass needs the filter rotated by 180° exactly once (or, for dz/dw, not at all).",
      reference: "Xu (14)–(16); Murugan (3.60)–(3.74); MatConvNet §6.1"),
    Mistake(
      id: "transposed", feedback: "Your matrix is the transpose of the expected one: check which index runs down the rows.", reference: "Vardhan §3.2 (numerator layout: rows follow the output)"),
    Mistake(id: "channels-swapped", feedback: "Input and output channels are exchanged: filter f(:,:,d,k) maps input channel d to output channel k.", reference: "MatConvNet §4.1"),
    Mistake(
      id: "stride-not-dilated", feedback: "With stride > 1 the output derivative must be spread out with zeros (one sample every S positions) before it is correlated back.",
      reference: "MatConvNet §6.1 (φ* scatters to the strided positions); Vardhan App. A"),
    Mistake(
      id: "padding-not-cropped", feedback: "The derivative still includes the padding: the rows and columns that were added as padding must be cropped away.", reference: "MatConvNet §5.1, §6.1"),
    Mistake(
      id: "bias-not-summed", feedback: "The bias is shared by every position of every image, so its derivative sums dz/dy over all positions and the whole batch.",
      reference: "Xu (9)–(10), (19)–(20); Murugan (3.73)"),
    Mistake(id: "avgpool-not-divided", feedback: "Average pooling divides by the window's sample count, and so does its backward pass.", reference: "Xu (4)–(6); MatConvNet §6.3"),
    Mistake(
      id: "avgpool-wrong-divisor", feedback: "Windows that overlap the padding average only their in-bounds samples, so their divisor is smaller than the window size.",
      reference: "MatConvNet §4.3, §5.2.1"),
    Mistake(
      id: "maxpool-ties-all", feedback: "When a window has several equal maxima, the derivative goes to one of them (the first in column-major order), not to all.",
      reference: "MatConvNet §6.3 (selector S(x): one 1 per row); Vardhan App. B"),
    Mistake(id: "overlap-assigned", feedback: "Overlapping windows must add their contributions to a shared input (+=), not overwrite each other.", reference: "MatConvNet §6.3; Xu (8)"),
    Mistake(id: "upsample-averaged", feedback: "The adjoint of Kronecker up-sampling x ⊗ 1 sums each block; it does not average it.", reference: "Xu (6); MatConvNet §6.2"),
    Mistake(id: "softmax-diagonal-only", feedback: "The softmax Jacobian is diag(s) − s sᵀ: the off-diagonal −sᵢsⱼ terms are missing.", reference: "MatConvNet §6.5.4"),
    Mistake(
      id: "sigmoid-squared", feedback: "You used the sigmoid derivative as printed in Murugan Table 1, f(1−f)²; the derivative is f(1−f).", reference: "Murugan Table 1 (misprint; see convlab audit)"),
    Mistake(
      id: "missing-activation-derivative", feedback: "The activation's derivative f′ is missing from the chain rule: dz/dx = dz/dy ∘ f′(x).", reference: "Murugan (3.28)–(3.40); MatConvNet §6.4"),
    Mistake(id: "row-major-vec", feedback: "Your Jacobian orders entries row by row; vec stacks columns (H fastest, then W, D, N).", reference: "MatConvNet §4 (vec); Vardhan §2"),
    Mistake(id: "sign-flipped", feedback: "Every entry has the wrong sign.", reference: "the chain rule"),
    Mistake(id: "scaled", feedback: "Your answer is the right one up to a constant factor.", reference: "the chain rule"),
    Mistake(id: "batch-mean-missing", feedback: "Batch normalization's mean and variance depend on x too: the terms through μ and σ² are missing.", reference: "MatConvNet §6.5.2"),
    // ConvLab's additions.
    Mistake(
      id: "derivative-at-input", feedback: "The derivative was evaluated at the input x where it should use the activation's output (or the other way round).",
      reference: "Murugan Table 1; MatConvNet §6.4"),
    Mistake(id: "label-off-by-one", feedback: "Class labels are 1-based, as in MatConvNet: label c selects channel c, not c+1.", reference: "MatConvNet §6.6"),
    Mistake(id: "softmax-missing", feedback: "The log-loss gradient through softmax is s − onehot(c): the softmax probabilities are missing.", reference: "MatConvNet §6.6; Murugan (3.25)–(3.27)"),
    Mistake(id: "variance-term-missing", feedback: "The term through the variance σ² is missing from batch normalization's backward pass.", reference: "MatConvNet §6.5.2"),
    Mistake(id: "padding-ignored", feedback: "The padding was left out of the size formula.", reference: "MatConvNet §5.1"),
    Mistake(id: "dilation-ignored", feedback: "A dilated filter spans D(H′−1)+1 samples, not H′.", reference: "MatConvNet §5.1; Milisavljevic Fig. 7"),
    Mistake(
      id: "ceil-floor-swapped", feedback: "Floor and ceiling are exchanged: MatConvNet rounds the output size down, Caffe's pooling rounds it up (then drops a window that starts in the padding).",
      reference: "MatConvNet §5.1, §5.2.1"),
    Mistake(
      id: "strides-not-multiplied", feedback: "A layer's filter extent is measured in the previous layer's samples, each of which is α input pixels apart: multiply by the accumulated stride.",
      reference: "MatConvNet §5.2 (composition of receptive fields)"),
    Mistake(
      id: "stride-ignored", feedback: "Your windows move one step at a time: with stride S the window of each output entry starts S rows (or columns) after the previous one.",
      reference: "MatConvNet §4.1, §5.1; Vardhan App. A (stride (1,2))"),
    Mistake(id: "leak-ignored", feedback: "A leaky ReLU passes leak × dz/dy where x < 0; that slope is missing.", reference: "MatConvNet §6.4"),
    Mistake(id: "printed-form", feedback: "You computed the formula as printed in the paper; it does not hold — see the audit.", reference: "convlab audit"),
    Mistake(id: "verdict-wrong", feedback: "Check the printed formula on your numbers once more: your verdict disagrees with them.", reference: "convlab audit"),
    Mistake(id: "compile-error", feedback: "Your Swift file does not compile together with the exercise's harness.", reference: ""),
    Mistake(id: "crash", feedback: "Your function crashed on one of the hidden instances (an index out of range is the usual cause).", reference: ""),
    Mistake(id: "timeout", feedback: "Your function did not finish within the time limit on the hidden instances.", reference: ""),
    Mistake(id: "unknown", feedback: "This does not match any mistake in the catalogue; compare your result with the ✗ entries below.", reference: ""),
  ]

  public static func named(_ id: String) -> Mistake {
    all.first { $0.id == id } ?? Mistake(id: id, feedback: id, reference: "")
  }
}
