"""How the assistant converses, with no channel in it: router, perustiedot dialog, validator, reminders."""
