import ConvLabBlocks
import ConvLabCore
import ConvLabNotation
import Foundation

/// Murugan's Nomenclature read against Murugan (2.1): which side of the image and of the kernel
/// each size names.
extension MuruganClaims {
  static func nomenclature() throws -> [Claim] {
    // A non-square case, stride 1, no padding: the image 6 high and 8 wide, the kernel 5 high and 3 wide.
    let (imageHeight, imageWidth, kernelHeight, kernelWidth) = (6, 8, 5, 3)
    let out = try Conv().outputShape(Shape(imageHeight, imageWidth), Parameters(w: Tensor<Double>(shape: Shape(kernelHeight, kernelWidth))))
    let truth = [Double(out.h), Double(out.w)]  // (H₁ the conv layer's height, W₁ its width)
    // The Nomenclature: H the image's width, W its height, k₁ the kernel's width, k₂ its height.
    let asNamed = [Double(imageWidth - kernelWidth + 1), Double(imageHeight - kernelHeight + 1)]
    // H, k₁ and H₁ along one axis (the usual reading, H the height).
    let sameAxis = [Double(imageHeight - kernelHeight + 1), Double(imageWidth - kernelWidth + 1)]
    return [
      Claim(
        .murugan, section: "§2.1", location: "Nomenclature with Murugan (2.1)", kind: .size,
        printed:
          "H: Width of image, W: Height of image, k₁: Width of convolution kernel, k₂: Height, H₁: Height of convolution layer, W₁: Width;  Dim_c(H₁, W₁, D₁) = (H + 2Z_P − k₁)/Z_S + 1, (W + 2Z_P − k₂)/Z_S + 1, K_D",
        verdict: .ambiguous, intended: "H the image's height and k₁ the kernel's height, along the same axis as H₁ (or H₁ the width)",
        note: "the Nomenclature pairs the conv layer's height H₁ with the image's and the kernel's widths; the two definitions agree only for square images and kernels (the paper's 28×28 with 3×3). "
          + "Instance: image 6 high × 8 wide, kernel 5 high × 3 wide, stride 1, no padding",
        readings: [
          Reading(
            "as the Nomenclature names them", "(H₁, W₁) = (H − k₁ + 1, W − k₂ + 1) with H, k₁ widths", against: "the conv block's (height, width)",
            value: asNamed, truth: truth),
          Reading(
            "H, k₁, H₁ along one axis", "(H₁, W₁) = (H − k₁ + 1, W − k₂ + 1) with H, k₁ heights", against: "the conv block's (height, width)",
            value: sameAxis, truth: truth),
        ])
    ]
  }
}
