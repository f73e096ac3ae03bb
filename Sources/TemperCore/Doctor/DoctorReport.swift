import TemperModel
import TemperSystem
import TemperExecution
import TemperStages
/// What `temper doctor --json` prints. Field names are a contract: add, never rename.
public struct DoctorReport: Codable, Sendable, Equatable {
    public struct ToolEntry: Codable, Sendable, Equatable {
        public var name: String
        /// What the tool is for: "cc", "cxx", "linker", "ar", "ranlib", "profdata", "bolt", ...
        public var role: String
        public var path: String?
        public var version: String?
        public var major: Int?
    }

    public struct Probe: Codable, Sendable, Equatable {
        public var name: String
        public var ok: Bool
        public var seconds: Double
        public var message: String
        /// Whether a pipeline needs this probe to pass (BOLT is optional).
        public var required: Bool
        /// What to do about a failure, when temper can tell.
        public var fix: String?
    }

    public var toolchain: String?
    public var tools: [ToolEntry]
    public var probes: [Probe]

    /// Every required probe passed: exit 0, else 3.
    public var healthy: Bool { !probes.isEmpty && probes.filter(\.required).allSatisfy(\.ok) }
}
