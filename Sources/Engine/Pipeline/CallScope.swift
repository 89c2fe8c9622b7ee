/// The call a door is serving, for work it reaches through layers that do not carry a context (the S3 door's
/// file backends): a provider call made there is an attempt of this call. Outside a door's scope such work
/// starts a call of its own.
public enum CallScope {
    @TaskLocal public static var current: CallContext?
}
