/// The public outcome names used in report.json and `temper status --json`.
public enum StageOutcome: String, Codable, Sendable, CaseIterable {
    case executed, reused, failed, interrupted, pending
}
