// The `--version` text shared by all tools: version, the active BLAS kernel, the CPU and
// the vector code path (`VectorISA`) with how it was chosen.

public enum ToolVersion {
    public static let number = "0.1.0"

    /// "TOOL 0.1.0", then the BLAS line (kernel and how it was chosen), then the CPU and the
    /// vector code path (path and how it was chosen).
    public static func text(tool: String, vectorISA: VectorISA.Choice) -> String {
        var lines = ["\(tool) \(number)"]
        do {
            lines.append("BLAS: \(try BLASRuntime.shared.summary)")
        } catch let error as ToolError {
            lines.append("BLAS: not available: \(error.message)")
        } catch {
            lines.append("BLAS: not available: \(error)")
        }
        let cpu = CPUFeatures.current()
        lines.append("CPU: \(cpu.modelName) (runs up to \(vectorISA.best)), \(availableCores()) cores")
        lines.append("Vector code path: \(vectorISA)")
        lines.append("MPI: \(MPILibrary.availability)")
        return lines.joined(separator: "\n")
    }
}
