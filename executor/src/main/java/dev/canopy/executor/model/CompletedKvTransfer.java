package dev.canopy.executor.model;

/** The transfers of a backend that copies synchronously: done when returned, copied or declined. */
enum CompletedKvTransfer implements KvTransfer {
    COPIED(false),
    DECLINED(true);

    private final boolean declined;

    CompletedKvTransfer(boolean declined) {
        this.declined = declined;
    }

    @Override
    public boolean isDeclined() {
        return declined;
    }

    @Override
    public boolean isDone() {
        return true;
    }

    @Override
    public void await() {
    }
}
