// Finds, checks and decodes a val image for the detection grid by convert's rules
// (`lvis-prep convert --images`, SharedData `ImageFileOpening`): the json's size within
// --max-pixels, names confined to the image root unless --allow-outside-images, only regular
// files (FIFOs and devices are not waited on), read within the byte cap, the header's size
// equal to the json's before any pixel is decoded. A refused image is left out of the grid.
import SharedData
import SharedSupport

public enum ReportImageLoader {
    /// The image, decoded at no less than `atLeast` pixels on each side where the codec can
    /// shrink it, or why it cannot be drawn (the problem kind convert would count, with a
    /// message naming the image id, the file and what to do).
    public static func load(_ info: ImageInfo, root: String, format: DatasetFormat, atLeast: Int,
                            limits: ImageLimits) -> Result<RGBImage, ImageProblem> {
        let candidates = PrepPlan.fileCandidates(info, format: format)
        if let refusal = ImageFileOpening.refusal(of: info, candidates: candidates, limits: limits) { return .failure(refusal) }
        switch ImageFileOpening.open(info, candidates: candidates, imageRoot: root, limits: limits) {
        case .failure(let problem):
            return .failure(problem)
        case .success(let file):
            // Positive sizes within --max-pixels here (the refusal above).
            let scale = min(1, Double(atLeast) / Double(min(info.width, info.height)))
            let minimum = (max(1, Int((Double(info.width) * scale).rounded(.up))), max(1, Int((Double(info.height) * scale).rounded(.up))))
            return ImageFileOpening.decode(file, image: info, atLeast: minimum)
        }
    }
}
