/// A job's records, from one input file or every `.jsonl` file under an input folder.
struct BatchInput: Sendable {
    var records: [BatchRecord]
    /// Indexed by `BatchRecord.file`; each gets `<name>.out`.
    var fileNames: [String]
}
