// reviewapp: shared page behaviour. Page-specific scripts live beside their templates' features.
