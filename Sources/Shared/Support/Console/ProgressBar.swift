// A progress display on stderr: a redrawn bar with rate and ETA on a terminal, plain
// periodic lines ("TOOL: label 1200/5000 (24%) 310.2 img/s ETA 0:12") otherwise, so
// job-scheduler logs stay readable. Safe to advance from several threads.
import Foundation

public final class ProgressBar: @unchecked Sendable {
    public let label: String
    public let total: Int?
    public let unit: String
    private let tool: String
    private let interactive: Bool
    private let enabled: Bool
    private let lineInterval: Double
    private let lock = NSLock()
    private var done = 0
    private var status = ""
    private var startTime: Double
    private var lastDraw = -Double.infinity
    private var finished = false

    /// - Parameters:
    ///   - total: the amount of work, or nil when unknown (rate only, no ETA).
    ///   - unit: what is counted ("img", "it", "det").
    ///   - interactive: redraw in place; defaults to "stderr is a terminal".
    ///   - lineInterval: seconds between plain lines when not interactive.
    public init(label: String, total: Int?, unit: String = "it", logger: Logger,
                interactive: Bool = StandardStreams.stderrIsTerminal, lineInterval: Double = 10) {
        self.label = label
        self.total = total
        self.unit = unit
        self.tool = logger.tool
        self.interactive = interactive
        self.enabled = logger.verbosity >= .normal
        self.lineInterval = lineInterval
        self.startTime = monotonicSeconds()
    }

    /// Adds `count` finished units and, optionally, replaces the status text (losses...).
    public func advance(by count: Int = 1, status newStatus: String? = nil) {
        lock.lock()
        defer { lock.unlock() }
        done += count
        if let newStatus { status = newStatus }
        drawIfDue(force: false)
    }

    /// Sets the status text without advancing.
    public func setStatus(_ newStatus: String) {
        lock.lock()
        defer { lock.unlock() }
        status = newStatus
    }

    /// Draws the final state and ends the line.
    public func finish() {
        lock.lock()
        defer { lock.unlock() }
        guard !finished else { return }
        finished = true
        drawIfDue(force: true)
        if enabled && interactive { StandardStreams.writeError("\n") }
    }

    /// The text of one progress line (without the tool prefix); exposed for tests.
    public func render(now: Double = monotonicSeconds()) -> String {
        let elapsed = max(now - startTime, 1e-9)
        let rate = Double(done) / elapsed
        var text = label
        if let total, total > 0 {
            let fraction = min(1, Double(done) / Double(total))
            if interactive {
                let width = 24
                let filled = Int(fraction * Double(width))
                text += " [" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled) + "]"
            }
            text += " \(done)/\(total) (\(Int(fraction * 100))%)"
            text += " " + Self.formatRate(rate, unit: unit)
            let remaining = rate > 0 ? Double(total - done) / rate : .infinity
            text += done >= total ? " in \(Self.formatDuration(elapsed))" : " ETA \(Self.formatDuration(remaining))"
        } else {
            text += " \(done) " + Self.formatRate(rate, unit: unit) + " \(Self.formatDuration(elapsed))"
        }
        if !status.isEmpty { text += " " + status }
        return text
    }

    private func drawIfDue(force: Bool) {
        guard enabled else { return }
        let now = monotonicSeconds()
        let interval = interactive ? 0.1 : lineInterval
        guard force || now - lastDraw >= interval else { return }
        lastDraw = now
        let line = render(now: now)
        if interactive {
            StandardStreams.writeError("\r\u{1B}[2K\(tool): \(line)")
        } else {
            StandardStreams.writeError("\(tool): \(line)\n")
        }
    }

    public static func formatRate(_ rate: Double, unit: String) -> String {
        if rate >= 100 { return String(format: "%.0f %@/s", rate, unit) }
        if rate >= 1 { return String(format: "%.1f %@/s", rate, unit) }
        if rate > 0 { return String(format: "%.1f s/%@", 1 / rate, unit) }
        return "- \(unit)/s"
    }

    /// "1:02:03", "2:03" or "--:--" for unknown.
    public static func formatDuration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "--:--" }
        let whole = Int(seconds.rounded())
        let h = whole / 3600, m = (whole % 3600) / 60, s = whole % 60
        return h > 0 ? String(format: "%d:%02d:%02d", h, m, s) : String(format: "%d:%02d", m, s)
    }
}
