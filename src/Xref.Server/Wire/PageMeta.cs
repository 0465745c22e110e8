namespace Xref.Wire;

/// <summary>The <c>meta</c> block and <c>count</c> of a Brainstem response.</summary>
public readonly record struct PageMeta(long Count, long PageCount, long PageNumber, int PageSize)
{
    /// <summary>Create and update responses: exactly one record.</summary>
    public static readonly PageMeta Single = new(1, 1, 1, PageRequest.DefaultPageSize);

    public static PageMeta For(long count, long pageNumber, int pageSize) => count == 0
        ? new PageMeta(0, 0, 0, pageSize)
        : new PageMeta(count, (count + pageSize - 1) / pageSize, pageNumber, pageSize);
}
