import Stores
import SwitchyardModel

/// The words a job's message or a failed record's output line carries: a caller reads them in the job's status or
/// the `.out` file, so an error that is not one of ours (a Swift runtime or I/O error) is never shown as it prints.
enum BatchFailureReason {
    static func text(_ error: any Error) -> String {
        switch error {
        case let error as GatewayError: error.message
        case let error as FileAccessError: error.description
        default: "the gateway failed unexpectedly while handling it"
        }
    }
}
