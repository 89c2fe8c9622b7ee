enum _SwitchyardServerPlaceholder {}
