// dt.optim: the update rules and learning-rate schedules.
export {};
