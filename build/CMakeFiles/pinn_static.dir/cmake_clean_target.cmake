file(REMOVE_RECURSE
  "libpinn.a"
)
