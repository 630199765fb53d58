// staff work queues: review, moderation, paper ballots, implementation updates.
