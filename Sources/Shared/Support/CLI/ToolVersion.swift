// The `--version` text shared by all tools: version, the active BLAS kernel, the CPU.

public enum ToolVersion {
    public static let number = "0.1.0"

    /// "TOOL 0.1.0", then the BLAS line (kernel and how it was chosen), then the CPU.
    public static func text(tool: String) -> String {
        var lines = ["\(tool) \(number)"]
        do {
            lines.append("BLAS: \(try BLASRuntime.shared.summary)")
        } catch let error as ToolError {
            lines.append("BLAS: not available: \(error.message)")
        } catch {
            lines.append("BLAS: not available: \(error)")
        }
        let cpu = CPUFeatures.current()
        let isa = cpu.hasAVX512 ? "AVX-512" : (cpu.hasAVX2 ? "AVX2" : "baseline")
        lines.append("CPU: \(cpu.modelName) (\(isa)), \(availableCores()) cores")
        return lines.joined(separator: "\n")
    }
}
