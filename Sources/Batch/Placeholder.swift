enum _BatchPlaceholder {}
