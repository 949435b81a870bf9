"""Credit bank: pathways to qualifications, transfer rules, evaluation of verified credentials,
and awards when a pathway is met."""
