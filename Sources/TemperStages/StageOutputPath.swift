import TemperModel
import TemperSystem
import TemperExecution
/// A file or directory that another stage produces, as the composer wires it into a consumer:
/// the producing stage (which the consumer lists in `consumes`) and the path relative to the
/// work dir. Stages never compute each other's directories; they are handed these.
public struct StageOutputPath: Sendable, Equatable {
    public var stage: StageID
    public var relative: String

    public init(_ stage: StageID, _ relative: String) {
        self.stage = stage
        self.relative = relative
    }

    public func absolute(in workDir: WorkDir) -> String { workDir.absolute(relative) }
}
